package io.capstan.server.cluster;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.api.Json;
import io.capstan.api.Role;
import io.capstan.api.aws.AwsCredentialsStatus;
import io.capstan.api.aws.AwsSessionCredentials;
import io.capstan.api.cluster.ClientCertificateRequest;
import io.capstan.api.cluster.ClientCertificateView;
import io.capstan.api.cluster.ClusterEventView;
import io.capstan.api.cluster.ClusterLogs;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.api.cluster.LogLineView;
import io.capstan.server.CapstanException;
import io.capstan.server.account.Account;
import io.capstan.server.account.AccountDao;
import io.capstan.server.account.Membership;
import io.capstan.server.auth.Caller;
import io.capstan.server.awscredentials.AwsCredentialsService;
import io.capstan.server.configuration.Configuration;
import io.capstan.server.configuration.ConfigurationService;
import io.capstan.server.environment.Environment;
import io.capstan.server.environment.EnvironmentService;
import io.capstan.server.internal.Ids;
import io.capstan.server.internal.Names;
import io.capstan.server.logstore.LogEntry;
import io.capstan.server.logstore.LogStore;
import io.capstan.server.pki.ClientCertificate;
import io.capstan.server.pki.InvalidCsrException;
import io.capstan.server.privacy.StoredData;
import io.capstan.server.sharing.Sharing;
import io.capstan.server.telemetry.TelemetryDao;
import io.capstan.server.user.UserDao;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.node.ObjectNode;

/**
 * What users do with clusters: create, list, show, scale, stop, forget, and get client certificates. The lifecycle
 * ({@link ClusterLifecycle}) does the rest. A cluster exists only for members of its account: to anyone else every
 * operation answers exactly as for an id that was never used. Members stop and scale their own clusters; account
 * admins any of the account's.
 */
public final class ClusterService {
    /** What this store keeps, for the privacy report. */
    public static final StoredData STORED_DATA = new StoredData(
            "Cluster and job metadata",
            "Your accounts' clusters: name, creator, options, state and its history, scheduler address, the cluster"
                    + " CA (its private key only while the cluster runs), times",
            List.of("clusters"),
            ClusterPki.ENCRYPTED_COLUMNS,
            StoredData.Retention.untilDeletedByHand(),
            "SELECT COUNT(*) FROM clusters WHERE account_id IN (<accounts>)");

    /** How often a stop retries its compare-and-set against the lifecycle's own transitions. */
    private static final int STOP_ATTEMPTS = 10;

    private final Jdbi jdbi;
    private final ClusterPki pki;
    private final LogStore logStore;
    private final ClusterLifecycle lifecycle;
    private final ClusterSettings settings;
    private final ClusterOptionsPolicy policy;
    private final QuotaCheck quotas;
    private final AwsCredentialsService awsCredentials;
    private final String backend;
    private final Clock clock;

    /** The quota rule of an account, checked inside the transaction that creates or scales a cluster. */
    @FunctionalInterface
    public interface QuotaCheck {
        void check(Handle handle, Account account, Optional<String> excludingCluster, int workers, int threads);
    }

    public ClusterService(
            Jdbi jdbi,
            ClusterPki pki,
            LogStore logStore,
            ClusterLifecycle lifecycle,
            ClusterSettings settings,
            QuotaCheck quotas,
            AwsCredentialsService awsCredentials,
            String backend,
            Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.pki = requireNonNull(pki, "pki is null");
        this.logStore = requireNonNull(logStore, "logStore is null");
        this.lifecycle = requireNonNull(lifecycle, "lifecycle is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.policy = new ClusterOptionsPolicy(settings);
        this.quotas = requireNonNull(quotas, "quotas is null");
        this.awsCredentials = requireNonNull(awsCredentials, "awsCredentials is null");
        this.backend = requireNonNull(backend, "backend is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A created cluster, and whether it was created by an earlier request with the same idempotency key. */
    public record Created(ClusterView cluster, boolean replayed) {}

    public Created create(Caller caller, CreateClusterRequest request, Optional<String> idempotencyKey) {
        idempotencyKey.ifPresent(ClusterService::validateIdempotencyKey);
        String fingerprint = fingerprint(request);
        String id = Ids.newId("clu");
        Optional<AwsCredentialsService.Initial> aws = initialAwsCredentials(caller, request, id);
        Created created = jdbi.inTransaction(handle -> {
            Account account = Sharing.owningAccount(handle, caller, request.account());
            Optional<Configuration> configuration = request.configuration()
                    .map(reference -> ConfigurationService.resolve(handle, caller, reference, account));
            CreateClusterRequest merged = configuration
                    .map(found -> ConfigurationService.apply(found, request))
                    .orElse(request);
            ClusterOptionsPolicy.Options options = policy.resolve(merged);
            Optional<Environment> environment = merged.environment()
                    .map(reference -> EnvironmentService.resolve(handle, caller, reference, account));
            if (environment.isPresent() && environment.get().pythonExecutable().isEmpty()) {
                throw CapstanException.invalidField(
                        "environment",
                        "environment '" + environment.get().name()
                                + "' names only an image; the local backend runs a Python interpreter of this machine");
            }
            handle.attach(AccountDao.class).lock(account.id());
            ClusterDao clusters = handle.attach(ClusterDao.class);
            if (idempotencyKey.isPresent()) {
                Optional<Cluster> existing = clusters.findByIdempotencyKey(account.id(), idempotencyKey.get());
                if (existing.isPresent()) {
                    if (!existing.get().requestFingerprint().orElse("").equals(fingerprint)) {
                        throw new CapstanException(
                                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                                "this Idempotency-Key was used"
                                        + " for a different request; use a new key for a new cluster");
                    }
                    return new Created(view(handle, existing.get()), true);
                }
            }
            String name = request.name()
                    .map(value -> Names.requireSlug("name", value))
                    .orElseGet(() -> "cluster-" + Ids.newId("x").substring(2, 8));
            if (clusters.countLiveByName(account.id(), name) > 0) {
                throw CapstanException.alreadyExists(
                        "account '" + account.name() + "' already has a live cluster named '" + name + "'");
            }
            quotas.check(handle, account, Optional.empty(), options.workers(), options.workers() * options.threads());
            Instant now = clock.instant();
            Instant expiresAt = now.plus(options.maxLifetime());
            ClusterPki.NewAuthority authority = pki.create(id, account.id(), expiresAt);
            Cluster cluster = new Cluster(
                    id,
                    account.id(),
                    caller.userId(),
                    name,
                    ClusterState.PENDING,
                    Optional.of("waiting to start"),
                    options.workers(),
                    options.threads(),
                    options.memoryBytes(),
                    options.idleTimeout().toSeconds(),
                    options.maxLifetime().toSeconds(),
                    Json.strict().writeValueAsString(options.labels()),
                    backend,
                    Optional.empty(),
                    authority.certificatePem(),
                    Optional.of(authority.encryptedKey()),
                    idempotencyKey,
                    Optional.of(fingerprint),
                    now,
                    Optional.empty(),
                    Optional.empty(),
                    expiresAt,
                    now,
                    0,
                    environment.map(Environment::id),
                    environment.flatMap(Environment::pythonExecutable),
                    configuration.map(Configuration::id));
            clusters.insert(cluster);
            logStore.event(
                    handle,
                    account.id(),
                    id,
                    "state",
                    "created by " + caller.user().username() + ": "
                            + options.workers() + " workers with " + options.threads() + " threads and "
                            + options.memoryBytes() + " bytes each");
            aws.ifPresent(initial -> awsCredentials.attach(
                    handle, account.id(), id, initial, caller.user().username()));
            return new Created(view(handle, cluster), false);
        });
        if (!created.replayed()) {
            lifecycle.wake();
        }
        return created;
    }

    /**
     * The AWS credentials a new cluster starts with: forwarded ones, checked; or the account's role, assumed now so
     * that a refusal by STS is the answer to the create request. Done before the transaction that creates the
     * cluster, as an STS call may take seconds.
     */
    private Optional<AwsCredentialsService.Initial> initialAwsCredentials(
            Caller caller, CreateClusterRequest request, String clusterId) {
        boolean role = request.awsRole().orElse(false);
        if (role && request.awsCredentials().isPresent()) {
            throw CapstanException.invalidField(
                    "awsRole", "give either 'awsCredentials' or 'awsRole', not both: a cluster has one source");
        }
        if (request.awsCredentials().isPresent()) {
            return Optional.of(awsCredentials.forwarded(request.awsCredentials().get()));
        }
        if (!role) {
            return Optional.empty();
        }
        Account account = jdbi.withHandle(handle -> Sharing.owningAccount(handle, caller, request.account()));
        return Optional.of(awsCredentials.assumeAccountRole(account.id(), account.name(), clusterId));
    }

    /** Replaces a running cluster's forwarded AWS credentials with fresher ones, and says when they expire. */
    public AwsCredentialsStatus forwardAwsCredentials(Caller caller, String id, AwsSessionCredentials credentials) {
        if (credentials == null) {
            throw CapstanException.missingField("accessKeyId");
        }
        return jdbi.inTransaction(handle -> {
            Cluster cluster = managed(handle, caller, id).cluster();
            if (!cluster.state().isActive() || cluster.state() == ClusterState.STOPPING) {
                throw CapstanException.invalidState("cluster " + cluster.name() + " is "
                        + cluster.state().wireName() + "; credentials are forwarded to live clusters only");
            }
            return awsCredentials.forward(
                    handle,
                    cluster.accountId(),
                    cluster.id(),
                    cluster.name(),
                    credentials,
                    caller.user().username());
        });
    }

    public List<ClusterView> list(Caller caller, Optional<String> accountName) {
        return jdbi.withHandle(handle -> {
            List<String> accounts = handle.attach(AccountDao.class).membershipsOf(caller.userId()).stream()
                    .filter(membership ->
                            accountName.map(membership.accountName()::equals).orElse(true))
                    .map(Membership::accountId)
                    .toList();
            if (accounts.isEmpty()) {
                return List.of();
            }
            return handle.attach(ClusterDao.class).listByAccounts(accounts).stream()
                    .map(cluster -> view(handle, cluster))
                    .toList();
        });
    }

    public ClusterView show(Caller caller, String id) {
        return jdbi.withHandle(
                handle -> view(handle, visible(handle, caller, id).cluster()));
    }

    public ClusterView scale(Caller caller, String id, Integer workers) {
        int wanted = Optional.ofNullable(workers).orElseThrow(() -> CapstanException.missingField("workers"));
        if (wanted < 0 || wanted > settings.maxWorkers()) {
            throw CapstanException.invalidField("workers", "'workers' must be between 0 and " + settings.maxWorkers());
        }
        ClusterView view = jdbi.inTransaction(handle -> {
            Visible visible = managed(handle, caller, id);
            Cluster cluster = visible.cluster();
            handle.attach(AccountDao.class).lock(cluster.accountId());
            quotas.check(
                    handle, visible.account(), Optional.of(cluster.id()), wanted, wanted * cluster.threadsPerWorker());
            if (handle.attach(ClusterDao.class).scale(cluster.id(), wanted, "scaling to " + wanted + " workers") == 0) {
                throw CapstanException.invalidState("cluster " + cluster.name() + " is "
                        + cluster.state().wireName() + "; only a running cluster can be scaled");
            }
            logStore.event(
                    handle,
                    cluster.accountId(),
                    cluster.id(),
                    "scale",
                    caller.user().username() + " scaled from " + cluster.workers() + " to " + wanted + " workers");
            return view(
                    handle, handle.attach(ClusterDao.class).find(cluster.id()).orElseThrow());
        });
        lifecycle.wake();
        return view;
    }

    /**
     * Stops a cluster. The lifecycle moves clusters on all the time (pending to starting, running to scaling), so a
     * compare-and-set that loses to it reads the new state and tries again, rather than handing the race to the user.
     */
    public ClusterView stop(Caller caller, String id) {
        ClusterView view = jdbi.inTransaction(handle -> {
            for (int attempt = 0; attempt < STOP_ATTEMPTS; attempt++) {
                Cluster cluster = managed(handle, caller, id).cluster();
                if (cluster.state() == ClusterState.STOPPING || !cluster.state().isActive()) {
                    return view(handle, cluster);
                }
                if (ClusterLifecycle.requestStop(
                        handle, logStore, cluster, "stopped by " + caller.user().username())) {
                    return view(
                            handle,
                            handle.attach(ClusterDao.class).find(cluster.id()).orElseThrow());
                }
            }
            throw CapstanException.invalidState("cluster " + id + " keeps changing state; try again");
        });
        lifecycle.wake();
        return view;
    }

    /**
     * Forgets a stopped or failed cluster: its record and its telemetry. Its events and logs stay in the log store
     * until retention removes them.
     */
    public void delete(Caller caller, String id) {
        jdbi.useTransaction(handle -> {
            Cluster cluster = managed(handle, caller, id).cluster();
            if (handle.attach(ClusterDao.class).delete(cluster.id()) == 0) {
                throw CapstanException.invalidState("cluster " + cluster.name() + " is "
                        + cluster.state().wireName() + "; stop it before deleting it");
            }
            TelemetryDao telemetry = handle.attach(TelemetryDao.class);
            telemetry.deleteSamples(cluster.id());
            telemetry.deleteSummary(cluster.id());
        });
    }

    public ClientCertificateView issueClientCertificate(Caller caller, String id, ClientCertificateRequest request) {
        String csr = Optional.ofNullable(request.csr()).orElseThrow(() -> CapstanException.missingField("csr"));
        Duration lifetime = request.lifetimeSeconds()
                .map(seconds -> {
                    if (seconds < 60
                            || seconds > settings.clientCertificateLifetime().toSeconds()) {
                        throw CapstanException.invalidField(
                                "lifetimeSeconds",
                                "'lifetimeSeconds' must be between 60" + " and "
                                        + settings.clientCertificateLifetime().toSeconds());
                    }
                    return Duration.ofSeconds(seconds);
                })
                .orElse(settings.clientCertificateLifetime());
        return jdbi.inTransaction(handle -> {
            Cluster cluster = visible(handle, caller, id).cluster();
            if (!cluster.state().holdsResources() || cluster.schedulerAddress().isEmpty()) {
                throw CapstanException.invalidState("cluster " + cluster.name() + " is "
                        + cluster.state().wireName() + "; certificates are issued for running clusters only");
            }
            ClientCertificate certificate;
            try {
                certificate = pki.signClient(cluster, csr, caller.user().username(), lifetime);
            } catch (InvalidCsrException e) {
                throw CapstanException.invalidField("csr", e.getMessage());
            }
            logStore.event(
                    handle,
                    cluster.accountId(),
                    cluster.id(),
                    "certificate",
                    "client certificate issued to " + caller.user().username() + ", valid until "
                            + certificate.notAfter());
            return new ClientCertificateView(
                    certificate.certificatePem(),
                    certificate.certificateAuthorityPem(),
                    cluster.schedulerAddress().get(),
                    caller.user().username(),
                    certificate.notAfter());
        });
    }

    public List<ClusterEventView> events(Caller caller, String id, long afterId) {
        Cluster cluster = jdbi.withHandle(handle -> visible(handle, caller, id).cluster());
        return logStore.read(cluster.accountId(), cluster.id(), LogEntry.EVENT, afterId, Instant.EPOCH, 1000).stream()
                .map(entry -> new ClusterEventView(entry.id(), entry.at(), entry.source(), entry.text()))
                .toList();
    }

    /** The cluster {@code id} if the caller may see it; otherwise the same 404 as for an id never used. */
    public Cluster visibleCluster(Caller caller, String id) {
        return jdbi.withHandle(handle -> visible(handle, caller, id).cluster());
    }

    /**
     * Lines the cluster's processes wrote, after the cursor {@code afterId}, oldest first, with the cluster's state
     * read before them: a cluster stops only after its last lines are stored, so a follower that sees it stopped
     * has every line once it has read this page.
     */
    public ClusterLogs logs(Caller caller, String id, Optional<String> node, Instant since, long afterId, int limit) {
        Cluster cluster = visibleCluster(caller, id);
        long dropped =
                jdbi.withHandle(handle -> handle.createQuery("SELECT log_lines_dropped FROM clusters WHERE id = :id")
                        .bind("id", cluster.id())
                        .mapTo(Long.class)
                        .one());
        node.ifPresent(value -> {
            if (!value.equals("scheduler") && !value.matches("worker-[0-9]{1,6}")) {
                throw CapstanException.invalidParameter("node", "'node' must be scheduler or worker-N");
            }
        });
        List<LogLineView> lines =
                logStore.readLines(cluster.accountId(), cluster.id(), node, afterId, since, limit).stream()
                        .map(entry -> {
                            int dot = entry.source().lastIndexOf('.');
                            return new LogLineView(
                                    entry.id(),
                                    entry.at(),
                                    entry.source().substring(0, Math.max(dot, 0)),
                                    entry.source().substring(dot + 1),
                                    entry.text());
                        })
                        .toList();
        return new ClusterLogs(lines, cluster.state().wireName(), dropped);
    }

    /** A cluster the caller may see, with its account and the caller's role there. */
    record Visible(Cluster cluster, Account account, Role role) {}

    static Visible visible(Handle handle, Caller caller, String id) {
        Optional<Cluster> cluster =
                Ids.looksLike("clu", id) ? handle.attach(ClusterDao.class).find(id) : Optional.empty();
        AccountDao accounts = handle.attach(AccountDao.class);
        Optional<Membership> membership =
                cluster.flatMap(found -> accounts.findMembership(found.accountId(), caller.userId()));
        if (cluster.isEmpty() || membership.isEmpty()) {
            throw CapstanException.notFound("cluster '" + id + "'");
        }
        Account account = accounts.findById(cluster.get().accountId()).orElseThrow();
        return new Visible(cluster.get(), account, membership.get().role());
    }

    private static Visible managed(Handle handle, Caller caller, String id) {
        Visible visible = visible(handle, caller, id);
        if (visible.role() != Role.ADMIN && !visible.cluster().creatorId().equals(caller.userId())) {
            throw CapstanException.forbidden("only the cluster's creator or an admin of its account may change it");
        }
        return visible;
    }

    ClusterView view(Handle handle, Cluster cluster) {
        String account = handle.attach(AccountDao.class)
                .findById(cluster.accountId())
                .map(Account::name)
                .orElse("");
        String creator = handle.attach(UserDao.class)
                .findById(cluster.creatorId())
                .map(io.capstan.server.user.User::username)
                .orElse("(deleted user)");
        Map<String, String> labels =
                Json.lenient().readValue(cluster.labels(), new TypeReference<Map<String, String>>() {});
        return new ClusterView(
                cluster.id(),
                cluster.name(),
                account,
                creator,
                cluster.state().wireName(),
                cluster.stateReason(),
                cluster.workers(),
                cluster.threadsPerWorker(),
                cluster.memoryPerWorkerBytes(),
                cluster.idleTimeoutSeconds(),
                cluster.maxLifetimeSeconds(),
                labels,
                cluster.backend(),
                cluster.state().holdsResources() ? cluster.schedulerAddress() : Optional.empty(),
                cluster.createdAt(),
                cluster.startedAt(),
                cluster.stoppedAt(),
                cluster.expiresAt(),
                awsCredentials.status(handle, cluster.id()));
    }

    private static void validateIdempotencyKey(String key) {
        if (key.isEmpty() || key.length() > 200 || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw CapstanException.invalidParameter(
                    "Idempotency-Key", "the Idempotency-Key header must be 1 to 200" + " printable ASCII characters");
        }
    }

    /**
     * A hash of the request, to recognise a retry. Forwarded AWS credentials are left out (a retry may carry
     * fresher ones, and a hash of a secret is not kept); only whether there were any counts.
     */
    private static String fingerprint(CreateClusterRequest request) {
        try {
            ObjectNode canonical = Json.strict().valueToTree(request);
            if (request.awsCredentials().isPresent()) {
                canonical.put("awsCredentials", "forwarded");
            }
            byte[] bytes = Json.strict().writeValueAsBytes(canonical);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
