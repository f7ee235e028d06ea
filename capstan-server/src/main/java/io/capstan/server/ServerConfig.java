package io.capstan.server;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Visibility;
import io.capstan.api.account.Quota;
import io.capstan.server.awscredentials.AwsSettings;
import io.capstan.server.cluster.ClusterSettings;
import io.capstan.server.internal.Secret;
import io.capstan.server.keyring.MasterKeySetting;
import io.capstan.server.telemetry.ObservabilitySettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the server is configured with, typed, with every default in {@link #defaults(Map)} and checked once
 * by {@link #validate()} before anything starts. {@code TestServerConfig} pins the defaults.
 */
public record ServerConfig(
        String listenHost,
        int listenPort,
        Path dataDirectory,
        Optional<Secret> databaseUrl,
        Optional<Path> tlsCertificate,
        Optional<Path> tlsKey,
        boolean insecurePlaintext,
        String securityContact,
        long maxRequestBytes,
        int authFailureLimit,
        Duration authFailureWindow,
        MasterKeySetting masterKey,
        int rotationBatchSize,
        ClusterSettings clusters,
        Visibility defaultVisibility,
        Quota defaultQuota,
        Quota quotaCeiling,
        ObservabilitySettings observability,
        AwsSettings aws) {

    public static final String DEFAULT_LISTEN_HOST = "127.0.0.1";
    public static final int DEFAULT_LISTEN_PORT = 8900;

    public ServerConfig {
        requireNonNull(listenHost, "listenHost is null");
        requireNonNull(dataDirectory, "dataDirectory is null");
        requireNonNull(databaseUrl, "databaseUrl is null");
        requireNonNull(tlsCertificate, "tlsCertificate is null");
        requireNonNull(tlsKey, "tlsKey is null");
        requireNonNull(securityContact, "securityContact is null");
        requireNonNull(authFailureWindow, "authFailureWindow is null");
        requireNonNull(masterKey, "masterKey is null");
        requireNonNull(clusters, "clusters is null");
        requireNonNull(defaultVisibility, "defaultVisibility is null");
        requireNonNull(defaultQuota, "defaultQuota is null");
        requireNonNull(quotaCeiling, "quotaCeiling is null");
        requireNonNull(observability, "observability is null");
        requireNonNull(aws, "aws is null");
    }

    /**
     * The defaults. The data directory follows the XDG base directory rules: {@code $XDG_DATA_HOME/capstan}, else
     * {@code ~/.local/share/capstan}.
     */
    public static ServerConfig defaults(Map<String, String> environment) {
        return new ServerConfig(
                DEFAULT_LISTEN_HOST,
                DEFAULT_LISTEN_PORT,
                defaultDataDirectory(environment),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false,
                "mailto:security@localhost",
                1024 * 1024,
                20,
                Duration.ofMinutes(1),
                MasterKeySetting.defaultSetting(),
                200,
                ClusterSettings.defaults(),
                Visibility.PUBLIC,
                new Quota(5, 20, 40),
                new Quota(100, 1000, 4000),
                ObservabilitySettings.defaults(),
                AwsSettings.defaults());
    }

    static Path defaultDataDirectory(Map<String, String> environment) {
        String xdgDataHome = environment.get("XDG_DATA_HOME");
        if (xdgDataHome != null
                && !xdgDataHome.isBlank()
                && Path.of(xdgDataHome).isAbsolute()) {
            return Path.of(xdgDataHome, "capstan");
        }
        String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".local", "share", "capstan");
    }

    public boolean tlsEnabled() {
        return tlsCertificate.isPresent();
    }

    /** Checks the combination of settings; a failure message says what to change. */
    public void validate() {
        if (listenPort < 0 || listenPort > 65535) {
            throw new InvalidConfigException("--listen port must be between 0 and 65535, not " + listenPort);
        }
        if (tlsCertificate.isPresent() != tlsKey.isPresent()) {
            throw new InvalidConfigException("--tls-cert and --tls-key must be given together");
        }
        if (!isLoopback(listenHost) && !tlsEnabled() && !insecurePlaintext) {
            throw new InvalidConfigException("refusing to listen on " + listenHost
                    + " without TLS: tokens would cross the network in clear. Give --tls-cert and --tls-key, listen"
                    + " on 127.0.0.1, or pass --insecure-plaintext if a TLS proxy in front of Capstan terminates"
                    + " TLS.");
        }
        if (maxRequestBytes < 1024) {
            throw new InvalidConfigException("the request size limit must be at least 1 KiB");
        }
        if (authFailureLimit < 1 || authFailureWindow.isNegative() || authFailureWindow.isZero()) {
            throw new InvalidConfigException("the failed-authentication limit must be positive");
        }
        clusters.validate();
        observability.validate();
        aws.validate();
        if (defaultQuota.clusters() > quotaCeiling.clusters()
                || defaultQuota.workers() > quotaCeiling.workers()
                || defaultQuota.cores() > quotaCeiling.cores()) {
            throw new InvalidConfigException(
                    "the default account quota (--default-quota) is above the quota ceiling (--quota-ceiling)");
        }
        if (rotationBatchSize < 1) {
            throw new InvalidConfigException("the data key rotation batch size must be positive");
        }
        if (!securityContact.startsWith("mailto:") && !securityContact.startsWith("https://")) {
            throw new InvalidConfigException("--security-contact must be a mailto: or https:// URI");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new InvalidConfigException("--listen host '" + host + "' does not resolve");
        }
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes some settings of a configuration; everything not set keeps its value. */
    public static final class Builder {
        private String listenHost;
        private int listenPort;
        private Path dataDirectory;
        private Optional<Secret> databaseUrl;
        private Optional<Path> tlsCertificate;
        private Optional<Path> tlsKey;
        private boolean insecurePlaintext;
        private String securityContact;
        private long maxRequestBytes;
        private int authFailureLimit;
        private Duration authFailureWindow;
        private MasterKeySetting masterKey;
        private int rotationBatchSize;
        private ClusterSettings clusters;
        private Visibility defaultVisibility;
        private Quota defaultQuota;
        private Quota quotaCeiling;
        private ObservabilitySettings observability;
        private AwsSettings aws;

        private Builder(ServerConfig config) {
            listenHost = config.listenHost;
            listenPort = config.listenPort;
            dataDirectory = config.dataDirectory;
            databaseUrl = config.databaseUrl;
            tlsCertificate = config.tlsCertificate;
            tlsKey = config.tlsKey;
            insecurePlaintext = config.insecurePlaintext;
            securityContact = config.securityContact;
            maxRequestBytes = config.maxRequestBytes;
            authFailureLimit = config.authFailureLimit;
            authFailureWindow = config.authFailureWindow;
            masterKey = config.masterKey;
            rotationBatchSize = config.rotationBatchSize;
            clusters = config.clusters;
            defaultVisibility = config.defaultVisibility;
            defaultQuota = config.defaultQuota;
            quotaCeiling = config.quotaCeiling;
            observability = config.observability;
            aws = config.aws;
        }

        public Builder aws(AwsSettings settings) {
            this.aws = settings;
            return this;
        }

        public Builder observability(ObservabilitySettings settings) {
            this.observability = settings;
            return this;
        }

        public Builder defaultVisibility(Visibility visibility) {
            this.defaultVisibility = visibility;
            return this;
        }

        public Builder quotas(Quota defaults, Quota ceiling) {
            this.defaultQuota = defaults;
            this.quotaCeiling = ceiling;
            return this;
        }

        public Builder clusters(ClusterSettings settings) {
            this.clusters = settings;
            return this;
        }

        public Builder rotationBatchSize(int rows) {
            this.rotationBatchSize = rows;
            return this;
        }

        public Builder masterKey(MasterKeySetting setting) {
            this.masterKey = setting;
            return this;
        }

        public Builder listen(String host, int port) {
            this.listenHost = host;
            this.listenPort = port;
            return this;
        }

        public Builder dataDirectory(Path directory) {
            this.dataDirectory = directory;
            return this;
        }

        public Builder databaseUrl(Optional<Secret> url) {
            this.databaseUrl = url;
            return this;
        }

        public Builder tls(Optional<Path> certificate, Optional<Path> key) {
            this.tlsCertificate = certificate;
            this.tlsKey = key;
            return this;
        }

        public Builder insecurePlaintext(boolean insecure) {
            this.insecurePlaintext = insecure;
            return this;
        }

        public Builder securityContact(String contact) {
            this.securityContact = contact;
            return this;
        }

        public Builder maxRequestBytes(long bytes) {
            this.maxRequestBytes = bytes;
            return this;
        }

        public Builder authFailureLimit(int limit, Duration window) {
            this.authFailureLimit = limit;
            this.authFailureWindow = window;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(
                    listenHost,
                    listenPort,
                    dataDirectory,
                    databaseUrl,
                    tlsCertificate,
                    tlsKey,
                    insecurePlaintext,
                    securityContact,
                    maxRequestBytes,
                    authFailureLimit,
                    authFailureWindow,
                    masterKey,
                    rotationBatchSize,
                    clusters,
                    defaultVisibility,
                    defaultQuota,
                    quotaCeiling,
                    observability,
                    aws);
        }
    }

    /** Thrown when the configuration cannot work; the server refuses to start with its message. */
    public static final class InvalidConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidConfigException(String message) {
            super(message);
        }
    }
}
