package io.capstan.cli;

import io.capstan.api.Durations;
import io.capstan.api.Visibility;
import io.capstan.api.account.Quota;
import io.capstan.api.token.CreatedToken;
import io.capstan.client.DataSizes;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import io.capstan.server.awscredentials.AwsSettings;
import io.capstan.server.internal.Secret;
import io.capstan.server.keyring.MasterKeySetting;
import io.capstan.server.telemetry.ObservabilitySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "server",
        description = {
            "Run the Capstan control plane.",
            "",
            "By default it listens on 127.0.0.1:8900 and keeps an embedded database in the data directory."
                    + " On the first start it creates the administrator 'admin' and prints its token once.",
            "A non-loopback --listen address needs --tls-cert and --tls-key, or --insecure-plaintext when a TLS"
                    + " proxy in front of Capstan terminates TLS."
        })
public final class ServerCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            description = "Address to listen on (default:" + " 127.0.0.1:8900).")
    String listen;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Data directory, created with mode 0700"
                    + " (default: $XDG_DATA_HOME/capstan, else ~/.local/share/capstan).")
    Path dataDirectory;

    @Option(
            names = "--database-url",
            paramLabel = "JDBC_URL",
            description = "PostgreSQL instead of the embedded"
                    + " database, like jdbc:postgresql://db:5432/capstan?user=capstan. Also $CAPSTAN_DATABASE_URL, which"
                    + " keeps a password out of the process list.")
    String databaseUrl;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain for HTTPS.")
    Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key for HTTPS.")
    Path tlsKey;

    @Option(names = "--insecure-plaintext", description = "Allow plain HTTP on a non-loopback address.")
    boolean insecurePlaintext;

    @Option(
            names = "--security-contact",
            paramLabel = "URI",
            description = "Contact published in" + " /.well-known/security.txt, a mailto: or https: URI.")
    String securityContact;

    @Option(
            names = "--master-key",
            paramLabel = "SOURCE",
            description = "Where the master key comes from: file (default: DATA_DIR/keyring/master-key.json,"
                    + " created on the first start), file:PATH, env ($CAPSTAN_MASTER_KEY), or aws-kms:KEY_ARN.")
    String masterKey;

    @Option(names = "--kms-region", paramLabel = "REGION", description = "AWS region of the KMS key.")
    String kmsRegion;

    @Option(names = "--kms-endpoint", paramLabel = "URL", description = "KMS endpoint, for a VPC endpoint.")
    URI kmsEndpoint;

    @Option(
            names = "--bootstrap-token-file",
            paramLabel = "FILE",
            description = "On the first start, write the"
                    + " administrator's token to this new file (mode 0600) instead of printing it.")
    Path bootstrapTokenFile;

    @Option(
            names = "--log-retention",
            paramLabel = "DURATION",
            description = "How long cluster logs and events are kept (default: 30d; at least 1h).")
    String logRetention;

    @Option(
            names = "--telemetry-interval",
            paramLabel = "DURATION",
            description = "How often running clusters' schedulers are scraped (default: 5s).")
    String telemetryInterval;

    @Option(
            names = "--log-lines-per-second",
            paramLabel = "N",
            description = "Lines a cluster may log per second, beyond a 10 s burst; the excess is dropped and"
                    + " counted (default: 1000).")
    Integer logLinesPerSecond;

    @Option(
            names = "--log-max-per-cluster",
            paramLabel = "SIZE",
            description = "Log bytes stored per cluster at most; the excess is dropped and counted (default: 256MiB).")
    String logMaxPerCluster;

    @Option(
            names = "--aws-sts-endpoint",
            paramLabel = "URL",
            description = "STS endpoint for assuming accounts' AWS roles, for a VPC endpoint (default: the SDK's)."
                    + " The control plane's own AWS credentials come from its environment, as for any AWS SDK.")
    URI awsStsEndpoint;

    @Option(
            names = "--aws-role-session-duration",
            paramLabel = "DURATION",
            description = "How long credentials assumed from an account's AWS role last; they are refreshed at half"
                    + " (default: 1h; 15m to 12h).")
    String awsRoleSessionDuration;

    @Option(
            names = "--aws-credentials-port",
            paramLabel = "PORT",
            description = "Loopback port of the endpoint clusters' processes fetch AWS credentials from (default: any"
                    + " free port).")
    Integer awsCredentialsPort;

    @Option(
            names = "--default-visibility",
            paramLabel = "public|private",
            description = "Visibility of new software environments, cluster configurations and notebooks when"
                    + " their creator does not choose (default: public).")
    String defaultVisibility;

    @Option(
            names = "--default-quota",
            paramLabel = "CLUSTERS,WORKERS,CORES",
            description = "Quota of new accounts: concurrent clusters, workers and cores (default: 5,20,40).")
    String defaultQuota;

    @Option(
            names = "--quota-ceiling",
            paramLabel = "CLUSTERS,WORKERS,CORES",
            description = "The most any account's quota may be raised to (default: 100,1000,4000).")
    String quotaCeiling;

    public ServerCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config = config();
        CapstanServer server = CapstanServer.start(config, Clock.systemUTC(), this::announceBootstrapToken);
        terminal.out()
                .println("Capstan " + CapstanServer.version() + " is serving on " + server.uri() + " (data: "
                        + config.dataDirectory().toAbsolutePath() + "). Stop it with Ctrl-C.");
        terminal.out().flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "capstan-shutdown"));
        stopped.await();
        return 0;
    }

    ServerConfig config() {
        ServerConfig.Builder builder = ServerConfig.defaults(terminal.environment()).toBuilder();
        if (listen != null) {
            int colon = listen.lastIndexOf(':');
            if (colon <= 0 || colon == listen.length() - 1) {
                throw new CliException("--listen must be HOST:PORT, like 127.0.0.1:8900");
            }
            String host = listen.substring(0, colon).replaceAll("^\\[|]$", "");
            int port;
            try {
                port = Integer.parseInt(listen.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new CliException("--listen port must be a number, like 127.0.0.1:8900");
            }
            builder.listen(host, port);
        }
        if (dataDirectory != null) {
            builder.dataDirectory(dataDirectory);
        }
        Optional.ofNullable(databaseUrl)
                .or(() -> Optional.ofNullable(terminal.environment().get("CAPSTAN_DATABASE_URL")))
                .filter(url -> !url.isBlank())
                .ifPresent(url -> builder.databaseUrl(Optional.of(new Secret(url))));
        builder.tls(Optional.ofNullable(tlsCertificate), Optional.ofNullable(tlsKey));
        builder.insecurePlaintext(insecurePlaintext);
        if (securityContact != null) {
            builder.securityContact(securityContact);
        }
        if (masterKey != null) {
            builder.masterKey(MasterKeySetting.parse(
                    masterKey,
                    terminal.environment(),
                    Optional.ofNullable(kmsRegion),
                    Optional.ofNullable(kmsEndpoint)));
        }
        if (defaultVisibility != null) {
            builder.defaultVisibility(Visibility.fromWireName(defaultVisibility)
                    .orElseThrow(() -> new CliException("--default-visibility must be public or private")));
        }
        if (defaultQuota != null || quotaCeiling != null) {
            ServerConfig current = builder.build();
            builder.quotas(
                    defaultQuota == null ? current.defaultQuota() : quota("--default-quota", defaultQuota),
                    quotaCeiling == null ? current.quotaCeiling() : quota("--quota-ceiling", quotaCeiling));
        }
        builder.observability(observability(builder.build().observability()));
        builder.aws(aws(builder.build().aws()));
        return builder.build();
    }

    private AwsSettings aws(AwsSettings defaults) {
        AwsSettings settings = defaults;
        if (awsStsEndpoint != null) {
            settings = settings.withStsEndpoint(awsStsEndpoint);
        }
        if (awsRoleSessionDuration != null) {
            settings =
                    settings.withRoleSessionDuration(duration("--aws-role-session-duration", awsRoleSessionDuration));
        }
        if (awsCredentialsPort != null) {
            settings = settings.withCredentialsEndpointPort(awsCredentialsPort);
        }
        return settings;
    }

    private static Quota quota(String option, String value) {
        String[] parts = value.split(",", -1);
        try {
            if (parts.length == 3) {
                Quota quota = new Quota(
                        Integer.parseInt(parts[0].strip()),
                        Integer.parseInt(parts[1].strip()),
                        Integer.parseInt(parts[2].strip()));
                if (quota.clusters() >= 0 && quota.workers() >= 0 && quota.cores() >= 0) {
                    return quota;
                }
            }
        } catch (NumberFormatException e) {
            // explained below
        }
        throw new CliException(option + " must be three counts CLUSTERS,WORKERS,CORES, like 5,20,40");
    }

    private ObservabilitySettings observability(ObservabilitySettings defaults) {
        ObservabilitySettings settings = defaults;
        if (logRetention != null) {
            settings = settings.withLogRetention(duration("--log-retention", logRetention));
        }
        if (telemetryInterval != null) {
            Duration interval = duration("--telemetry-interval", telemetryInterval);
            settings = settings.withTelemetryInterval(
                    interval,
                    interval.compareTo(settings.telemetryResolution()) > 0 ? interval : settings.telemetryResolution());
        }
        if (logLinesPerSecond != null || logMaxPerCluster != null) {
            long maxBytes = settings.logMaxBytesPerCluster();
            if (logMaxPerCluster != null) {
                try {
                    maxBytes = DataSizes.parse(logMaxPerCluster);
                } catch (IllegalArgumentException e) {
                    throw new CliException("--log-max-per-cluster must be a size like 256MiB or 1GiB");
                }
            }
            settings = settings.withLogLimits(
                    logLinesPerSecond == null ? settings.logLinesPerSecond() : logLinesPerSecond, maxBytes);
        }
        return settings;
    }

    private static Duration duration(String option, String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CliException(option + " must be a duration like 30d, 12h or 5s");
        }
    }

    private void announceBootstrapToken(CreatedToken token) {
        if (bootstrapTokenFile != null) {
            try {
                Files.writeString(
                        bootstrapTokenFile,
                        token.secret() + "\n",
                        StandardCharsets.US_ASCII,
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                Files.setPosixFilePermissions(bootstrapTokenFile, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the bootstrap token to " + bootstrapTokenFile, e);
            }
            terminal.out()
                    .println("Created the administrator '" + token.token().username() + "'; its token was"
                            + " written to " + bootstrapTokenFile + " (shown nowhere else).");
            return;
        }
        terminal.out().println();
        terminal.out()
                .println("Created the administrator '" + token.token().username() + "'. Its API token is"
                        + " shown this once; store it like a password:");
        terminal.out().println();
        terminal.out().println("    " + token.secret());
        terminal.out().println();
        terminal.out()
                .println(
                        "Log in with: capstan login --username " + token.token().username());
        terminal.out().println();
        terminal.out().flush();
    }
}
