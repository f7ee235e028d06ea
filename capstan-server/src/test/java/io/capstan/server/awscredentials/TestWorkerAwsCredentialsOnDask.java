package io.capstan.server.awscredentials;

import static io.capstan.server.testing.aws.TestingAwsCredentials.fetch;
import static io.capstan.server.testing.aws.TestingAwsCredentials.schedulerEnvironment;
import static io.capstan.server.testing.aws.TestingAwsCredentials.sessionCredentials;
import static io.capstan.server.testing.aws.TestingAwsCredentials.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.aws.SetAwsRoleRequest;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.client.CapstanClient;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingClock;
import io.capstan.server.testing.TestingDask;
import io.capstan.server.testing.TestingDatabase;
import io.capstan.server.testing.aws.TestingAwsCredentials;
import io.capstan.server.testing.aws.TestingStsServer;
import io.capstan.server.testing.aws.TestingStsServer.IssuedCredentials;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a task on a real Dask worker sees with botocore (Debian's {@code python3-botocore}), the way data-reading
 * code finds credentials: forwarded credentials, then fresher forwarded ones; assumed-role credentials, then the
 * refreshed ones; and nothing at all on a cluster created without credentials. STS is {@link TestingStsServer}.
 */
class TestWorkerAwsCredentialsOnDask {
    private static final String ROLE_ARN = "arn:aws:iam::111122223333:role/reader";
    /** A task that prints what botocore's default chain finds on the worker it runs on. */
    private static final String[] PRINT_WORKER_CREDENTIALS = {
        "def worker_credentials():",
        "    import botocore.session",
        "    found = botocore.session.get_session().get_credentials()",
        "    if found is None:",
        "        return 'NONE'",
        "    frozen = found.get_frozen_credentials()",
        "    return frozen.access_key + ' ' + frozen.secret_key + ' ' + frozen.token",
        "print('AWS', client.submit(worker_credentials, pure=False).result())"
    };

    @TempDir
    Path folder;

    /**
     * Client certificates, one per cluster, made before the test clock moves: a certificate issued at a later clock
     * time is not valid yet for the real clock the scheduler checks it against.
     */
    private final java.util.Map<String, TestingDask.ClientFiles> clientFiles = new java.util.HashMap<>();

    @Test
    void aTaskOnAWorkerSeesTheCredentialsTheirRefreshesAndWithoutForwardingNone() {
        TestingAwsCredentials.giveTheServerAwsCredentials();
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server = TestingCapstanServer.start(
                        TestingDatabase.Kind.H2,
                        builder -> builder.aws(AwsSettings.defaults()
                                .withStsEndpoint(sts.endpoint())
                                .withRoleSessionDuration(Duration.ofMinutes(15))
                                .withRefresh(Duration.ofMillis(50), Duration.ofMinutes(1))),
                        clock)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "team");
            CapstanClient alice = Fixtures.userClient(admin, "alice", Scope.CLUSTERS);
            admin.setMember("team", "alice", Role.MEMBER);
            admin.setAwsRole("team", new SetAwsRoleRequest(ROLE_ARN, Optional.empty()));
            IssuedCredentials forwarded = sessionCredentials(sts, Duration.ofHours(12));

            String forwarding = alice.createCluster(
                            oneWorker(TestAwsCredentials.withCredentials("forwarding", wire(forwarded))),
                            Optional.empty())
                    .id();
            String assuming = alice.createCluster(
                            oneWorker(TestAwsCredentials.withRole(Clusters.request("assuming", 0))), Optional.empty())
                    .id();
            IssuedCredentials assumed = sts.issuedCredentials().get(1);
            String plain = alice.createCluster(oneWorker(Clusters.request("plain", 0)), Optional.empty())
                    .id();
            ClusterView forwardingCluster = Clusters.awaitState(alice, forwarding, "running");
            ClusterView assumingCluster = Clusters.awaitState(alice, assuming, "running");
            ClusterView plainCluster = Clusters.awaitState(alice, plain, "running");

            assertThat(workerCredentials(alice, forwardingCluster)).isEqualTo(line(forwarded));
            assertThat(workerCredentials(alice, assumingCluster)).isEqualTo(line(assumed));
            assertThat(workerCredentials(alice, plainCluster)).isEqualTo("NONE");

            IssuedCredentials fresher = sessionCredentials(sts, Duration.ofHours(1));
            alice.forwardAwsCredentials(forwarding, wire(fresher));
            assertThat(workerCredentials(alice, forwardingCluster)).isEqualTo(line(fresher));

            int issuedBefore = sts.issuedCredentials().size();
            clock.advance(Duration.ofMinutes(8));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sts.issuedCredentials().size() > issuedBefore);
            IssuedCredentials refreshed = sts.issuedCredentials().get(issuedBefore);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> alice.showCluster(assuming)
                            .awsCredentials()
                            .flatMap(status -> status.expiresAt())
                            .equals(Optional.of(refreshed.expiration())));
            assertThat(workerCredentials(alice, assumingCluster)).isEqualTo(line(refreshed));

            URI endpoint =
                    URI.create(schedulerEnvironment(server, forwarding).get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
            String token = schedulerEnvironment(server, forwarding).get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
            alice.stopCluster(forwarding);
            Clusters.awaitStateAllowingFailure(alice, forwarding, "stopped");
            TestingAwsCredentials.Answer afterStop = fetch(endpoint, Optional.of(token));
            assertThat(afterStop.status()).isEqualTo(403);
            assertThat(afterStop.body()).doesNotContain(fresher.accessKeyId());
        }
    }

    private String workerCredentials(CapstanClient client, ClusterView cluster) {
        TestingDask.ClientFiles files = clientFiles.computeIfAbsent(
                cluster.id(), id -> TestingDask.credentials(client, id, folder.resolve(cluster.name())));
        TestingDask.Result result =
                TestingDask.withClient(cluster.schedulerAddress().orElseThrow(), files, PRINT_WORKER_CREDENTIALS);
        assertThat(result.succeeded()).as(result.output()).isTrue();
        return result.output()
                .lines()
                .filter(printed -> printed.startsWith("AWS "))
                .map(printed -> printed.substring(4))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the task printed no credentials: " + result.output()));
    }

    private static String line(IssuedCredentials issued) {
        return issued.accessKeyId() + " " + issued.secretAccessKey() + " " + issued.sessionToken();
    }

    private static CreateClusterRequest oneWorker(CreateClusterRequest request) {
        return new CreateClusterRequest(
                request.name(),
                request.account(),
                Optional.of(1),
                request.threadsPerWorker(),
                request.memoryPerWorkerBytes(),
                Optional.of(Duration.ofHours(2).toSeconds()),
                request.maxLifetimeSeconds(),
                request.labels(),
                request.configuration(),
                request.environment(),
                request.awsCredentials(),
                request.awsRole());
    }
}
