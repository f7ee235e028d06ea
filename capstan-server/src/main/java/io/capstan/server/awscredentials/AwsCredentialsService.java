package io.capstan.server.awscredentials;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.api.aws.AwsCredentialsStatus;
import io.capstan.server.CapstanException;
import io.capstan.server.logstore.LogStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AWS credentials for clusters' processes, the two ways in: forwarded by a user (temporary credentials only, checked
 * by {@link SessionCredentials#validated}), or assumed by the control plane from the account's role and refreshed at
 * half their lifetime. Processes fetch them from the credentials endpoint ({@link ContainerCredentialsServer}) with
 * their cluster's token, as the AWS SDKs do in containers; a cluster without credentials gets neither the endpoint
 * nor a token. Every change is a cluster event that says when the credentials expire, never what they are.
 * Thread-safe.
 */
public final class AwsCredentialsService {
    private static final Logger log = LoggerFactory.getLogger(AwsCredentialsService.class);
    private static final String EVENT_SOURCE = "aws-credentials";

    private final Jdbi jdbi;
    private final AwsCredentialsStore store;
    private final AwsRoleSessions roles;
    private final LogStore logStore;
    private final AwsSettings settings;
    private final Function<String, URI> endpoint;
    private final Clock clock;

    /** {@code endpoint} gives the URL of the credentials endpoint for a cluster id, as its processes reach it. */
    public AwsCredentialsService(
            Jdbi jdbi,
            AwsCredentialsStore store,
            AwsRoleSessions roles,
            LogStore logStore,
            AwsSettings settings,
            Function<String, URI> endpoint,
            Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.store = requireNonNull(store, "store is null");
        this.roles = requireNonNull(roles, "roles is null");
        this.logStore = requireNonNull(logStore, "logStore is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The first credentials of a new cluster, where they come from, and when the control plane refreshes them. */
    public record Initial(String source, SessionCredentials credentials, Optional<Instant> refreshAfter) {}

    /** Forwarded credentials as a new cluster's first ones; a 400 if they are not temporary. */
    public Initial forwarded(io.capstan.api.aws.AwsSessionCredentials sent) {
        return new Initial(
                StoredCredentials.FORWARDED, SessionCredentials.validated(sent, clock.instant()), Optional.empty());
    }

    /**
     * Assumes the account's role for a new cluster. A 409 if the account has no role, a 400 if STS refuses, a 503
     * if STS cannot be reached. Called outside any transaction: an STS call may take the whole call timeout.
     */
    public Initial assumeAccountRole(String accountId, String accountName, String clusterId) {
        AwsCredentialsDao.AccountRole role = jdbi.withHandle(
                        handle -> handle.attach(AwsCredentialsDao.class).accountRole(accountId))
                .orElseThrow(() -> new CapstanException(
                        ErrorCode.AWS_ROLE_NOT_SET,
                        "account '" + accountName + "' has no AWS role; an account admin sets one with 'capstan"
                                + " account set-aws-role ARN'"));
        SessionCredentials credentials = roles.assume(role.roleArn(), role.sessionPolicy(), sessionName(clusterId));
        return new Initial(StoredCredentials.ACCOUNT_ROLE, credentials, Optional.of(halfLife(credentials)));
    }

    /** Stores a new cluster's first credentials, in the transaction that creates the cluster. */
    public void attach(Handle handle, String accountId, String clusterId, Initial initial, String actor) {
        store.create(handle, accountId, clusterId, initial.source(), initial.credentials(), initial.refreshAfter());
        logStore.event(
                handle,
                accountId,
                clusterId,
                EVENT_SOURCE,
                (initial.source().equals(StoredCredentials.FORWARDED)
                                ? "AWS credentials forwarded by " + actor
                                : "AWS credentials assumed from the account's role")
                        + ", expire at " + initial.credentials().expiration());
    }

    /**
     * Replaces a running cluster's forwarded credentials with fresher ones. A 409 for a cluster that has none (it
     * was created without) or gets them from the account's role.
     */
    public AwsCredentialsStatus forward(
            Handle handle,
            String accountId,
            String clusterId,
            String clusterName,
            io.capstan.api.aws.AwsSessionCredentials sent,
            String actor) {
        SessionCredentials credentials = SessionCredentials.validated(sent, clock.instant());
        StoredCredentials current = store.find(handle, clusterId)
                .orElseThrow(() -> CapstanException.invalidState("cluster " + clusterName + " was created without"
                        + " AWS credentials; only a cluster created with forwarded credentials takes new ones"));
        if (!current.source().equals(StoredCredentials.FORWARDED)) {
            throw CapstanException.invalidState("cluster " + clusterName + " gets its AWS credentials from the"
                    + " account's role, and the control plane refreshes them itself");
        }
        store.replace(handle, accountId, clusterId, credentials, Optional.empty());
        logStore.event(
                handle,
                accountId,
                clusterId,
                EVENT_SOURCE,
                "AWS credentials forwarded by " + actor + ", expire at " + credentials.expiration()
                        + current.expiresAt()
                                .map(previous -> " (the previous ones expire"
                                        + (previous.isAfter(clock.instant()) ? "" : "d") + " at " + previous + ")")
                                .orElse(""));
        return status(handle, store.find(handle, clusterId).orElseThrow());
    }

    /** What a cluster's processes get, for the cluster's view; empty for a cluster without AWS credentials. */
    public Optional<AwsCredentialsStatus> status(Handle handle, String clusterId) {
        return store.find(handle, clusterId).map(row -> status(handle, row));
    }

    private AwsCredentialsStatus status(Handle handle, StoredCredentials row) {
        Optional<String> roleArn = row.source().equals(StoredCredentials.ACCOUNT_ROLE)
                ? handle.attach(AwsCredentialsDao.class)
                        .accountRole(row.accountId())
                        .map(AwsCredentialsDao.AccountRole::roleArn)
                : Optional.empty();
        Optional<Instant> expiresAt = row.expiresAt().filter(clock.instant()::isBefore);
        return new AwsCredentialsStatus(row.source(), roleArn, expiresAt, row.refreshedAt(), row.refreshProblem());
    }

    /**
     * The environment that points a cluster's processes at their credentials: the container credentials protocol
     * that botocore and the AWS SDKs follow on their own. Empty for a cluster without AWS credentials, so its
     * processes find none.
     */
    public Map<String, String> processEnvironment(String clusterId) {
        return store.find(clusterId)
                .map(row -> Map.of(
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                        endpoint.apply(clusterId).toString(),
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                        store.token(row).reveal()))
                .orElse(Map.of());
    }

    /** Deletes a stopped or failed cluster's credentials and token, in the transaction that ends it. */
    public void remove(Handle handle, String accountId, String clusterId) {
        if (store.delete(handle, clusterId)) {
            logStore.event(
                    handle,
                    accountId,
                    clusterId,
                    EVENT_SOURCE,
                    "AWS credentials deleted: the credentials endpoint refuses this cluster from now on");
        }
    }

    /**
     * Assumes the account's role again for every cluster whose credentials passed half their lifetime. A failure is
     * an event, and is retried after {@code refreshRetry}; meanwhile the current credentials are served until they
     * expire, and then none.
     */
    public void refreshDue() {
        List<StoredCredentials> due =
                jdbi.withHandle(handle -> handle.attach(AwsCredentialsDao.class).dueForRefresh(clock.instant()));
        for (StoredCredentials row : due) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            refresh(row);
        }
    }

    /**
     * Writes an event for each cluster whose credentials expired without being replaced: from then on its processes
     * get none, and the event says how that ends.
     */
    public void announceExpiries() {
        List<StoredCredentials> expired =
                jdbi.withHandle(handle -> handle.attach(AwsCredentialsDao.class).expiredUnannounced(clock.instant()));
        for (StoredCredentials row : expired) {
            Instant at = row.expiresAt().orElseThrow();
            jdbi.useTransaction(handle -> {
                if (handle.attach(AwsCredentialsDao.class).announceExpiry(row.clusterId(), at) > 0) {
                    logStore.event(
                            handle,
                            row.accountId(),
                            row.clusterId(),
                            EVENT_SOURCE,
                            "AWS credentials expired at " + at + "; the cluster's processes get none until "
                                    + (row.source().equals(StoredCredentials.FORWARDED)
                                            ? "fresh ones are forwarded (capstan cluster forward-credentials)"
                                            : "a refresh from the account's role succeeds"));
                }
            });
        }
    }

    private void refresh(StoredCredentials row) {
        Optional<AwsCredentialsDao.AccountRole> role =
                jdbi.withHandle(handle -> handle.attach(AwsCredentialsDao.class).accountRole(row.accountId()));
        SessionCredentials credentials;
        try {
            if (role.isEmpty()) {
                throw new CapstanException(ErrorCode.AWS_ROLE_NOT_SET, "the account no longer has an AWS role");
            }
            credentials = roles.assume(role.get().roleArn(), role.get().sessionPolicy(), sessionName(row.clusterId()));
        } catch (CapstanException e) {
            refreshFailed(row, e.getMessage());
            return;
        }
        jdbi.useTransaction(handle -> {
            if (store.replace(
                    handle, row.accountId(), row.clusterId(), credentials, Optional.of(halfLife(credentials)))) {
                logStore.event(
                        handle,
                        row.accountId(),
                        row.clusterId(),
                        EVENT_SOURCE,
                        "AWS credentials refreshed from role " + role.get().roleArn() + ", expire at "
                                + credentials.expiration());
            }
        });
    }

    private void refreshFailed(StoredCredentials row, String problem) {
        Instant retryAt = clock.instant().plus(settings.refreshRetry());
        String served = row.expiresAt()
                .filter(clock.instant()::isBefore)
                .map(expiry -> "the current ones are served until they expire at " + expiry + ", then none")
                .orElse("the cluster has no valid AWS credentials now");
        log.warn("refreshing the AWS credentials of cluster {} failed: {}", row.clusterId(), problem);
        jdbi.useTransaction(handle -> {
            if (handle.attach(AwsCredentialsDao.class).recordRefreshProblem(row.clusterId(), retryAt, truncate(problem))
                    > 0) {
                logStore.event(
                        handle,
                        row.accountId(),
                        row.clusterId(),
                        EVENT_SOURCE,
                        "refreshing AWS credentials failed: " + problem + "; " + served + "; retrying at " + retryAt);
            }
        });
    }

    private Instant halfLife(SessionCredentials credentials) {
        Instant now = clock.instant();
        Duration remaining = Duration.between(now, credentials.expiration());
        return now.plus(remaining.dividedBy(2));
    }

    /** The role session name STS records in CloudTrail: which cluster the credentials were for. */
    static String sessionName(String clusterId) {
        return "capstan-" + clusterId;
    }

    private static String truncate(String text) {
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }
}
