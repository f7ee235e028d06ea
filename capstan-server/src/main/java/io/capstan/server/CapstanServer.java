package io.capstan.server;

import static java.util.Objects.requireNonNull;

import io.capstan.api.token.CreatedToken;
import io.capstan.server.account.AccountDao;
import io.capstan.server.account.AccountResource;
import io.capstan.server.account.AccountService;
import io.capstan.server.auth.AuthFailureLimiter;
import io.capstan.server.auth.Authenticator;
import io.capstan.server.awscredentials.AwsCredentialsRefresher;
import io.capstan.server.awscredentials.AwsCredentialsService;
import io.capstan.server.awscredentials.AwsCredentialsStore;
import io.capstan.server.awscredentials.AwsRoleSessions;
import io.capstan.server.awscredentials.ContainerCredentialsServer;
import io.capstan.server.backend.local.LocalBackend;
import io.capstan.server.cluster.ClusterLifecycle;
import io.capstan.server.cluster.ClusterOptionsPolicy;
import io.capstan.server.cluster.ClusterPki;
import io.capstan.server.cluster.ClusterResource;
import io.capstan.server.cluster.ClusterService;
import io.capstan.server.cluster.ClusterSettings;
import io.capstan.server.configuration.ConfigurationResource;
import io.capstan.server.configuration.ConfigurationService;
import io.capstan.server.environment.EnvironmentResource;
import io.capstan.server.environment.EnvironmentService;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.HttpApi;
import io.capstan.server.http.JsonBodies;
import io.capstan.server.internal.Secret;
import io.capstan.server.keyring.DataKeyRotationService;
import io.capstan.server.keyring.EncryptedColumn;
import io.capstan.server.keyring.KeyStore;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.keyring.KeyringResource;
import io.capstan.server.keyring.KeyringUnavailableException;
import io.capstan.server.keyring.MasterKeySetting;
import io.capstan.server.keyring.MasterKeySource;
import io.capstan.server.logstore.LogCollector;
import io.capstan.server.logstore.LogStore;
import io.capstan.server.logstore.RetentionJob;
import io.capstan.server.notebook.NotebookResource;
import io.capstan.server.notebook.NotebookService;
import io.capstan.server.pki.Pem;
import io.capstan.server.privacy.PrivacyResource;
import io.capstan.server.privacy.PrivacyService;
import io.capstan.server.privacy.StoredData;
import io.capstan.server.store.Database;
import io.capstan.server.store.DatabaseSettings;
import io.capstan.server.store.EmbeddedDatabaseFile;
import io.capstan.server.system.SystemResource;
import io.capstan.server.telemetry.ObservabilitySettings;
import io.capstan.server.telemetry.SchedulerMetricsClient;
import io.capstan.server.telemetry.TelemetryCollector;
import io.capstan.server.telemetry.TelemetryResource;
import io.capstan.server.telemetry.TelemetryService;
import io.capstan.server.telemetry.TelemetryStore;
import io.capstan.server.telemetry.prometheus.PrometheusLimits;
import io.capstan.server.token.TokenResource;
import io.capstan.server.token.TokenService;
import io.capstan.server.user.AdministratorBootstrap;
import io.capstan.server.user.EncryptEmailsMigration;
import io.capstan.server.user.UserDao;
import io.capstan.server.user.UserResource;
import io.capstan.server.user.UserService;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane, wired by hand from top to bottom: configuration, data directory, database, services,
 * resources, HTTP. {@link #start} returns a serving server; {@link #close} stops it and releases everything.
 */
public final class CapstanServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CapstanServer.class);
    private static final String KEYRING_STATE = "keyring-id";
    private static final String CREDENTIALS_PORT_STATE = "aws-credentials-port";

    private final ServerConfig config;
    private final Database database;
    private final HttpApi api;
    private final Javalin javalin;
    private final List<ExecutorService> executors;
    private final Keyring keyring;
    private final List<AutoCloseable> resources;

    private CapstanServer(
            ServerConfig config,
            Database database,
            Keyring keyring,
            HttpApi api,
            Javalin javalin,
            List<ExecutorService> executors,
            List<AutoCloseable> resources) {
        this.keyring = keyring;
        this.resources = List.copyOf(resources);
        this.config = config;
        this.database = database;
        this.api = api;
        this.javalin = javalin;
        this.executors = List.copyOf(executors);
    }

    /**
     * Starts a server. On the first start of an installation it creates the administrator and hands its one-time
     * token to {@code bootstrapTokenSink}.
     */
    public static CapstanServer start(ServerConfig config, Clock clock, Consumer<CreatedToken> bootstrapTokenSink) {
        requireNonNull(config, "config is null");
        requireNonNull(clock, "clock is null");
        config.validate();
        Path dataDirectory = DataDirectory.prepare(config.dataDirectory());
        Storage storage = openStorage(config, dataDirectory, clock);
        Database database = storage.database();
        Keyring keyring = storage.keyring();
        List<ExecutorService> executors = new ArrayList<>();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            int orphans = keyring.destroyOrphans(owner -> ownerExists(database, owner));
            if (orphans > 0) {
                log.info("destroyed {} data keys whose owners no longer exist", orphans);
            }
            new AdministratorBootstrap(database.jdbi(), keyring, clock)
                    .bootstrapIfNeeded()
                    .ifPresent(bootstrapTokenSink);

            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(meters);
            new JvmThreadMetrics().bindTo(meters);
            new ProcessorMetrics().bindTo(meters);

            JsonBodies bodies = new JsonBodies(config.maxRequestBytes());
            TokenService tokens = new TokenService(database.jdbi(), clock);
            UserService users = new UserService(database.jdbi(), keyring, clock);
            AccountService accounts =
                    new AccountService(database.jdbi(), keyring, config.defaultQuota(), config.quotaCeiling(), clock);
            ExecutorService background = Executors.newSingleThreadExecutor(daemon("capstan-keyring"));
            executors.add(background);
            ClusterSettings clusterSettings = config.clusters();
            LogStore logStore = new LogStore(database.jdbi(), keyring, clock);
            ClusterPki pki = new ClusterPki(keyring, clock);
            ObservabilitySettings observability = config.observability();
            SchedulerMetricsClient schedulerMetrics =
                    new SchedulerMetricsClient(observability.scrapeTimeout(), PrometheusLimits.defaults());
            LocalBackend backend = new LocalBackend(
                    dataDirectory.resolve("clusters"),
                    keyring.keyringId(),
                    clusterSettings.stopGracePeriod(),
                    schedulerMetrics);
            ScheduledExecutorService lifecycleExecutor =
                    Executors.newSingleThreadScheduledExecutor(daemon("capstan-clusters"));
            executors.add(lifecycleExecutor);
            ScheduledExecutorService observer = Executors.newScheduledThreadPool(2, daemon("capstan-observer"));
            executors.add(observer);
            ExecutorService scrapers = new ThreadPoolExecutor(
                    observability.scrapeConcurrency(),
                    observability.scrapeConcurrency(),
                    1,
                    TimeUnit.MINUTES,
                    new ArrayBlockingQueue<>(1024),
                    daemon("capstan-scraper"),
                    new ThreadPoolExecutor.DiscardPolicy());
            executors.add(scrapers);
            LogCollector logCollector = new LogCollector(
                    database.jdbi(),
                    backend,
                    logStore,
                    new LogCollector.Limits(
                            observability.logLinesPerSecond(),
                            observability.logMaxBytesPerCluster(),
                            observability.logInterval()),
                    observer,
                    clock);
            AwsCredentialsStore awsCredentialsStore = new AwsCredentialsStore(database.jdbi(), keyring, clock);
            ContainerCredentialsServer credentialsEndpoint =
                    startCredentialsEndpoint(config, database, awsCredentialsStore, clock);
            resources.add(credentialsEndpoint);
            AwsRoleSessions awsRoles = AwsRoleSessions.create(config.aws());
            resources.add(awsRoles);
            AwsCredentialsService awsCredentials = new AwsCredentialsService(
                    database.jdbi(),
                    awsCredentialsStore,
                    awsRoles,
                    logStore,
                    config.aws(),
                    credentialsEndpoint::uri,
                    clock);
            ScheduledExecutorService awsRefresher =
                    Executors.newSingleThreadScheduledExecutor(daemon("capstan-aws-refresh"));
            executors.add(awsRefresher);
            AwsCredentialsRefresher refresher = new AwsCredentialsRefresher(
                    awsCredentials, awsRefresher, config.aws().refreshInterval());
            ClusterLifecycle lifecycle = new ClusterLifecycle(
                    database.jdbi(),
                    backend,
                    pki,
                    logStore,
                    logCollector,
                    awsCredentials,
                    clusterSettings,
                    lifecycleExecutor,
                    clock);
            TelemetryCollector telemetryCollector = new TelemetryCollector(
                    database.jdbi(),
                    backend,
                    schedulerMetrics,
                    new TelemetryStore(database.jdbi(), observability.telemetryResolution()),
                    observer,
                    scrapers,
                    observability.telemetryInterval(),
                    observability.scrapeTimeout(),
                    clock);
            RetentionJob retention = new RetentionJob(database.jdbi(), observability.logRetention(), observer, clock);
            ClusterService clusters = new ClusterService(
                    database.jdbi(),
                    pki,
                    logStore,
                    lifecycle,
                    clusterSettings,
                    AccountService::checkQuota,
                    awsCredentials,
                    backend.name(),
                    clock);
            EnvironmentService environments =
                    new EnvironmentService(database.jdbi(), logStore, config.defaultVisibility(), clock);
            ConfigurationService configurations = new ConfigurationService(
                    database.jdbi(),
                    logStore,
                    new ClusterOptionsPolicy(clusterSettings),
                    config.defaultVisibility(),
                    clock);
            NotebookService notebooks =
                    new NotebookService(database.jdbi(), keyring, logStore, config.defaultVisibility(), clock);
            DataKeyRotationService dataKeyRotations = new DataKeyRotationService(
                    database.jdbi(), keyring, encryptedColumns(), background, clock, config.rotationBatchSize());

            AtomicReference<List<ApiRoute>> allRoutes = new AtomicReference<>(List.of());
            HttpApi api = new HttpApi(
                    List.of(
                            new SystemResource(version(), config.securityContact(), meters, allRoutes::get, clock),
                            new UserResource(users, bodies),
                            new TokenResource(tokens, bodies),
                            new AccountResource(accounts, bodies),
                            new KeyringResource(keyring, dataKeyRotations, accounts, bodies),
                            new ClusterResource(clusters, bodies, clock),
                            new TelemetryResource(new TelemetryService(database.jdbi(), clusters, clock)),
                            new PrivacyResource(new PrivacyService(
                                    database.jdbi(),
                                    storedData(observability),
                                    PrivacyService.databaseDescription(database.kind()))),
                            new EnvironmentResource(environments, bodies),
                            new ConfigurationResource(configurations, bodies),
                            new NotebookResource(notebooks, bodies)),
                    new Authenticator(tokens),
                    new AuthFailureLimiter(config.authFailureLimit(), config.authFailureWindow(), clock),
                    meters);
            allRoutes.set(api.routes());

            Javalin javalin = Javalin.create(javalinConfig -> {
                api.configure(javalinConfig);
                // Bodies are read and bounded by JsonBodies, per route; this is only Javalin's own outer bound.
                javalinConfig.http.maxRequestSize = Math.max(config.maxRequestBytes(), 16L * 1024 * 1024);
                if (config.tlsEnabled()) {
                    java.security.KeyStore keyStore = tlsKeyStore(config);
                    javalinConfig.jetty.addConnector(
                            (server, httpConfiguration) -> tlsConnector(server, httpConfiguration, keyStore, config));
                } else {
                    javalinConfig.jetty.host = config.listenHost();
                    javalinConfig.jetty.port = config.listenPort();
                }
            });
            javalin.start();
            dataKeyRotations.resumeUnfinished();
            lifecycle.start();
            logCollector.start();
            telemetryCollector.start();
            retention.start();
            refresher.start();
            CapstanServer server = new CapstanServer(config, database, keyring, api, javalin, executors, resources);
            log.info("Capstan {} serving on {} with the {} database", version(), server.uri(), database.kind());
            return server;
        } catch (RuntimeException e) {
            executors.forEach(ExecutorService::shutdownNow);
            closeAll(resources);
            database.close();
            throw e;
        }
    }

    /**
     * The AWS credentials endpoint, on the port it had before unless the operator fixed one: the processes of clusters
     * adopted after a restart keep the URL they were started with. If that port is taken now, they cannot fetch
     * their credentials any more, and the log says so.
     */
    private static ContainerCredentialsServer startCredentialsEndpoint(
            ServerConfig config, Database database, AwsCredentialsStore credentials, Clock clock) {
        int configured = config.aws().credentialsEndpointPort();
        if (configured != 0) {
            return ContainerCredentialsServer.start(configured, credentials);
        }
        Optional<Integer> previous =
                database.serverState(CREDENTIALS_PORT_STATE).map(Integer::valueOf);
        if (previous.isPresent()) {
            try {
                return ContainerCredentialsServer.start(previous.get(), credentials);
            } catch (UncheckedIOException e) {
                log.warn(
                        "the AWS credentials endpoint cannot listen on its previous port {} ({}); processes of"
                                + " clusters started before this restart cannot fetch AWS credentials any more",
                        previous.get(),
                        e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            }
        }
        ContainerCredentialsServer endpoint = ContainerCredentialsServer.start(0, credentials);
        database.recordServerState(CREDENTIALS_PORT_STATE, Integer.toString(endpoint.port()), clock.instant());
        return endpoint;
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("closing {} failed", resource.getClass().getSimpleName(), e);
            }
        }
    }

    /** Every column that holds keyring ciphertexts, for data key rotation. */
    static List<EncryptedColumn> encryptedColumns() {
        List<EncryptedColumn> columns = new ArrayList<>(UserService.ENCRYPTED_COLUMNS);
        columns.addAll(ClusterPki.ENCRYPTED_COLUMNS);
        columns.addAll(LogStore.ENCRYPTED_COLUMNS);
        columns.addAll(NotebookService.ENCRYPTED_COLUMNS);
        columns.addAll(AwsCredentialsStore.ENCRYPTED_COLUMNS);
        return List.copyOf(columns);
    }

    /** Everything the server stores about people, store by store, for the privacy report. */
    static List<StoredData> storedData(ObservabilitySettings observability) {
        return List.of(
                UserService.STORED_DATA,
                TokenService.STORED_DATA,
                AccountService.STORED_DATA,
                ClusterService.STORED_DATA,
                AwsCredentialsStore.STORED_DATA,
                TelemetryStore.STORED_DATA,
                EnvironmentService.STORED_DATA,
                NotebookService.STORED_DATA,
                LogStore.storedData(observability.logRetention()));
    }

    private static boolean ownerExists(Database database, String owner) {
        if (owner.startsWith("acc_")) {
            return database.jdbi().onDemand(AccountDao.class).countById(owner) > 0;
        }
        if (owner.startsWith("usr_")) {
            return database.jdbi().onDemand(UserDao.class).findById(owner).isPresent();
        }
        return true;
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The database and the keyring that holds its keys, opened together because each guards the other. */
    record Storage(Database database, Keyring keyring) {}

    /**
     * Opens the keyring and the database in the only safe order. Nothing is created or changed until both are
     * known to belong together: a missing or wrong master key, a missing key store or a database encrypted under
     * another keyring stops the start with a message, before any file is touched.
     */
    static Storage openStorage(ServerConfig config, Path dataDirectory, Clock clock) {
        KeyStore keyStore = new KeyStore(dataDirectory.resolve("keyring"));
        MasterKeySource masterKeySource = MasterKeySetting.source(config.masterKey(), dataDirectory);
        Database database;
        Keyring keyring;
        if (config.databaseUrl().isEmpty()) {
            boolean exists = EmbeddedDatabaseFile.exists(dataDirectory);
            boolean unencrypted = exists && keyStore.isEmpty() && EmbeddedDatabaseFile.isUnencrypted(dataDirectory);
            keyring = Keyring.open(masterKeySource, keyStore, exists && !unencrypted);
            if (exists && !unencrypted && !keyring.hasDatabasePassword()) {
                throw new KeyringUnavailableException("the embedded database " + dataDirectory + " is encrypted, but"
                        + " its key is missing from the key store " + keyStore.directory() + "; restore the key"
                        + " store from its backup");
            }
            Secret password = keyring.databasePassword();
            if (unencrypted) {
                log.info("encrypting the embedded database of an earlier installation (H2 CIPHER=AES)");
                EmbeddedDatabaseFile.encrypt(dataDirectory, password);
            }
            database = Database.connect(DatabaseSettings.embedded(dataDirectory, password));
        } else {
            database = Database.connect(
                    DatabaseSettings.external(config.databaseUrl().get()));
            try {
                Optional<String> recordedKeyring = database.serverState(KEYRING_STATE);
                keyring = Keyring.open(masterKeySource, keyStore, recordedKeyring.isPresent());
                if (recordedKeyring.isPresent() && !recordedKeyring.get().equals(keyring.keyringId())) {
                    throw new KeyringUnavailableException("the database was encrypted under keyring "
                            + recordedKeyring.get() + ", but the key store " + keyStore.directory() + " holds keyring "
                            + keyring.keyringId() + ". Start the server with the key store (and master key) that"
                            + " belong to this database.");
                }
            } catch (RuntimeException e) {
                database.close();
                throw e;
            }
        }
        try {
            database.migrate(List.of(new EncryptEmailsMigration(keyring)));
            database.recordServerState(KEYRING_STATE, keyring.keyringId(), clock.instant());
            return new Storage(database, keyring);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static java.security.KeyStore tlsKeyStore(ServerConfig config) {
        try {
            List<X509Certificate> chain =
                    Pem.readCertificates(config.tlsCertificate().orElseThrow());
            PrivateKey key = Pem.readPrivateKey(config.tlsKey().orElseThrow());
            if (chain.isEmpty()) {
                throw new ServerConfig.InvalidConfigException("--tls-cert holds no certificate");
            }
            java.security.KeyStore keyStore = java.security.KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("capstan", key, new char[0], chain.toArray(new X509Certificate[0]));
            return keyStore;
        } catch (UncheckedIOException | java.security.GeneralSecurityException | IOException e) {
            throw new ServerConfig.InvalidConfigException("cannot use --tls-cert/--tls-key: " + e.getMessage());
        }
    }

    private static ServerConnector tlsConnector(
            org.eclipse.jetty.server.Server server,
            HttpConfiguration httpConfiguration,
            java.security.KeyStore keyStore,
            ServerConfig config) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(keyStore);
        tls.setKeyStorePassword("");
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        httpConfiguration.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server, tls, new HttpConnectionFactory(httpConfiguration));
        connector.setHost(config.listenHost());
        connector.setPort(config.listenPort());
        return connector;
    }

    public static String version() {
        try (InputStream in = CapstanServer.class.getResourceAsStream("version.txt")) {
            return in == null ? "development" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "development";
        }
    }

    public int port() {
        return javalin.port();
    }

    public URI uri() {
        String host = config.listenHost().contains(":") ? "[" + config.listenHost() + "]" : config.listenHost();
        return URI.create((config.tlsEnabled() ? "https" : "http") + "://" + host + ":" + port());
    }

    public ServerConfig config() {
        return config;
    }

    public Database database() {
        return database;
    }

    public Keyring keyring() {
        return keyring;
    }

    public List<ApiRoute> routes() {
        return api.routes();
    }

    /**
     * Stops background work first (it resumes at the next start, so it may stop anywhere), then serving, then closes
     * the database.
     */
    @Override
    public void close() {
        executors.forEach(ExecutorService::shutdownNow);
        try {
            javalin.stop();
            closeAll(resources);
        } finally {
            for (ExecutorService executor : executors) {
                try {
                    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                        log.warn("background work did not stop within 30 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            database.close();
        }
    }
}
