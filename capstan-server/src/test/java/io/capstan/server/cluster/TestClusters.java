package io.capstan.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.cluster.ClusterEventView;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDask;
import io.capstan.server.testing.TestingDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real Dask clusters, created, used, scaled and stopped through the API. */
class TestClusters {
    @TempDir
    Path temporary;

    private static CapstanClient member(TestingCapstanServer server, String account, String user) {
        CapstanClient admin = server.adminClient();
        Fixtures.account(admin, account);
        CapstanClient client = Fixtures.userClient(admin, user, Scope.CLUSTERS);
        admin.setMember(account, user, Role.MEMBER);
        return client;
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aUserComputesOnAClusterOverMutualTlsThenScalesAndStopsIt(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient ada = member(server, "team", "ada");
            ClusterView running = Clusters.createRunning(ada, "demo", 2);
            assertThat(running.schedulerAddress())
                    .hasValueSatisfying(address -> assertThat(address).startsWith("tls://127.0.0.1:"));

            TestingDask.ClientFiles files = TestingDask.credentials(ada, running.id(), temporary.resolve("ada"));
            TestingDask.Result result =
                    TestingDask.compute(running.schedulerAddress().get(), files);
            assertThat(result.output()).contains("RESULT 285");

            ada.scaleCluster(running.id(), 3);
            Clusters.awaitState(ada, running.id(), "running");
            assertThat(ada.showCluster(running.id()).workers()).isEqualTo(3);
            ada.scaleCluster(running.id(), 1);
            ClusterView scaledDown = Clusters.awaitState(ada, running.id(), "running");
            assertThat(scaledDown.workers()).isEqualTo(1);
            assertThat(TestingDask.compute(running.schedulerAddress().get(), files)
                            .output())
                    .contains("RESULT 285");

            ada.stopCluster(running.id());
            ClusterView stopped = Clusters.awaitState(ada, running.id(), "stopped");
            assertThat(stopped.stoppedAt()).isPresent();
            assertThat(stopped.schedulerAddress()).isEmpty();
            assertThat(Clusters.processes(server, running.id())).isEmpty();
            assertThat(server.config().dataDirectory().resolve("clusters").resolve(running.id()))
                    .doesNotExist();
            assertThat(caKeyColumn(server, running.id())).isEmpty();
            assertThatThrownBy(() -> TestingDask.credentials(ada, running.id(), temporary.resolve("late")))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.problem().code()).isEqualTo("invalid_state"));
            assertThat(ada.clusterEvents(running.id(), 0))
                    .extracting(ClusterEventView::message)
                    .anySatisfy(message -> assertThat(message).contains("client certificate issued to ada"))
                    .anySatisfy(message -> assertThat(message).contains("starting → running"))
                    .anySatisfy(message -> assertThat(message).contains("running → stopping: stopped by ada"));

            ada.deleteCluster(running.id());
            assertThat(ada.listClusters(Optional.empty())).isEmpty();
        }
    }

    @Test
    void noCertificateNoTlsAndAnotherClustersCertificateAreAllRefused() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");
            ClusterView first = Clusters.createRunning(ada, "first", 1);
            ClusterView second = Clusters.createRunning(ada, "second", 1);
            String address = first.schedulerAddress().orElseThrow();
            TestingDask.ClientFiles own = TestingDask.credentials(ada, first.id(), temporary.resolve("own"));
            TestingDask.ClientFiles foreign = TestingDask.credentials(ada, second.id(), temporary.resolve("foreign"));

            assertThat(TestingDask.compute(address, own).output()).contains("RESULT 285");
            TestingDask.Result plain = TestingDask.compute(
                    address.replace("tls://", "tcp://"),
                    new TestingDask.ClientFiles(temporary, Optional.empty(), Optional.empty(), Optional.empty()));
            TestingDask.Result withoutCertificate = TestingDask.compute(
                    address,
                    new TestingDask.ClientFiles(
                            temporary, own.certificateAuthority(), Optional.empty(), Optional.empty()));
            TestingDask.Result otherCluster = TestingDask.compute(address, foreign);
            TestingDask.Result otherClusterTrustingThisCa = TestingDask.compute(
                    address,
                    new TestingDask.ClientFiles(
                            temporary, own.certificateAuthority(), foreign.certificate(), foreign.key()));

            for (TestingDask.Result refused :
                    List.of(plain, withoutCertificate, otherCluster, otherClusterTrustingThisCa)) {
                assertThat(refused.succeeded()).as(refused.output()).isFalse();
                assertThat(refused.output()).doesNotContain("RESULT");
            }
        }
    }

    @Test
    void everyListenerOfAClusterIsOnLoopbackAndItsFilesAreOwnerOnly() throws IOException {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");
            ClusterView cluster = Clusters.createRunning(ada, "listeners", 2);

            List<io.capstan.server.testing.Sockets.Listener> listeners =
                    io.capstan.server.testing.Sockets.listeners(Clusters.pids(server, cluster.id()));
            // Scheduler (TLS and HTTP), and per worker: worker (TLS) and its HTTP server.
            assertThat(listeners).hasSizeGreaterThanOrEqualTo(2 + 2 * 2);
            assertThat(listeners)
                    .allSatisfy(listener -> assertThat(listener.isLoopback())
                            .as(listener.toString())
                            .isTrue());

            Path folder = server.config().dataDirectory().resolve("clusters").resolve(cluster.id());
            assertThat(mode(folder)).isEqualTo("rwx------");
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.filter(path -> path.toString().endsWith("-key.pem"))
                        .toList()) {
                    assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
                }
            }
            assertThat(mode(folder.resolve("http-token"))).isEqualTo("rw-------");
            assertThat(folder.getFileName().toString()).isEqualTo(cluster.id()).doesNotContain("listeners");
            String environment = Files.readString(Path.of(
                    "/proc",
                    Long.toString(Clusters.pids(server, cluster.id()).iterator().next()),
                    "environ"));
            assertThat(environment).doesNotContain("CAPSTAN_MASTER_KEY").doesNotContain("capstan_");
        }
    }

    @Test
    void hostileNamesAreRefusedBeforeAnythingIsCreated() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");

            for (String name : List.of("../../x", "$(id)", "a;b", "UPPER", "-x", "x".repeat(64), "x/y", "")) {
                assertThatThrownBy(() -> ada.createCluster(Clusters.request(name, 1), Optional.empty()))
                        .as(name)
                        .isInstanceOfSatisfying(CapstanApiException.class, e -> {
                            assertThat(e.status()).isEqualTo(400);
                            assertThat(e.problem().field()).contains("name");
                        });
            }
            assertThat(ada.listClusters(Optional.empty())).isEmpty();
            assertThat(server.config().dataDirectory().resolve("clusters")).doesNotExist();
        }
    }

    @Test
    void anotherAccountsMemberGetsTheSame404AsForAnUnknownId() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");
            CapstanClient mallory = member(server, "other", "mallory");
            ClusterView cluster = ada.createCluster(Clusters.request("private", 0), Optional.empty());
            String unknown = "clu_aaaaaaaaaaaaaaaaaaaa";

            for (String id : List.of(cluster.id(), unknown)) {
                for (Runnable call : List.<Runnable>of(
                        () -> mallory.showCluster(id),
                        () -> mallory.scaleCluster(id, 3),
                        () -> mallory.stopCluster(id),
                        () -> mallory.deleteCluster(id),
                        () -> mallory.clusterEvents(id, 0),
                        () -> TestingDask.credentials(mallory, id, temporary.resolve("m")))) {
                    assertThatThrownBy(call::run).isInstanceOfSatisfying(CapstanApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.problem().detail()).isEqualTo("cluster '" + id + "' not found");
                    });
                }
            }
            assertThat(mallory.listClusters(Optional.empty())).isEmpty();
            assertThat(ada.showCluster(cluster.id()).state()).isIn("pending", "starting", "running");
        }
    }

    @Test
    void aMemberRemovedFromTheAccountLosesAccessAtOnce() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");
            CapstanClient bob = Fixtures.userClient(server.adminClient(), "bob", Scope.CLUSTERS);
            server.adminClient().setMember("team", "bob", Role.MEMBER);
            ClusterView cluster = Clusters.createRunning(ada, "shared", 0);
            TestingDask.credentials(bob, cluster.id(), temporary.resolve("bob"));
            assertThat(bob.listClusters(Optional.empty())).hasSize(1);

            server.adminClient().removeMember("team", "bob");

            assertThat(bob.listClusters(Optional.empty())).isEmpty();
            for (Runnable call : List.<Runnable>of(
                    () -> TestingDask.credentials(bob, cluster.id(), temporary.resolve("bob-again")),
                    () -> bob.showCluster(cluster.id()),
                    () -> bob.clusterEvents(cluster.id(), 0),
                    () -> bob.stopCluster(cluster.id()))) {
                assertThatThrownBy(call::run)
                        .isInstanceOfSatisfying(
                                CapstanApiException.class,
                                e -> assertThat(e.status()).isEqualTo(404));
            }
            assertThat(ada.showCluster(cluster.id()).state()).isEqualTo("running");
        }
    }

    @Test
    void aRetriedCreateWithTheSameIdempotencyKeyReturnsTheSameCluster() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");
            CreateClusterRequest request = Clusters.request("once", 0);

            ClusterView first = ada.createCluster(request, Optional.of("key-1"));
            ClusterView retried = ada.createCluster(request, Optional.of("key-1"));

            assertThat(retried.id()).isEqualTo(first.id());
            assertThat(ada.listClusters(Optional.empty())).hasSize(1);
            assertThatThrownBy(() -> ada.createCluster(Clusters.request("different", 0), Optional.of("key-1")))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.problem().code()).isEqualTo("idempotency_key_reused"));
            assertThatThrownBy(() -> ada.createCluster(Clusters.request("once", 0), Optional.of("key-2")))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.problem().code()).isEqualTo("already_exists"));
        }
    }

    @Test
    void aDeadWorkerIsReplacedAndADeadSchedulerFailsTheClusterAndCleansUp() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");
            ClusterView cluster = Clusters.createRunning(ada, "faults", 2);
            long worker = leader(server, cluster.id(), "worker-0");

            ProcessHandle.of(worker).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(ada.clusterEvents(cluster.id(), 0))
                            .extracting(ClusterEventView::message)
                            .anySatisfy(message -> assertThat(message).contains("1 worker exited and was replaced")));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Clusters.processes(server, cluster.id()).stream()
                            .anyMatch(process -> process.node().equals("worker-2") && process.isGroupLeader()));
            assertThat(ada.showCluster(cluster.id()).state()).isEqualTo("running");

            ProcessHandle.of(leader(server, cluster.id(), "scheduler"))
                    .orElseThrow()
                    .destroyForcibly();

            ClusterView failed = Clusters.awaitStateAllowingFailure(ada, cluster.id(), "failed");
            assertThat(failed.stateReason())
                    .hasValueSatisfying(reason -> assertThat(reason).contains("scheduler"));
            Path folder = server.config().dataDirectory().resolve("clusters").resolve(cluster.id());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Clusters.processes(server, cluster.id()).isEmpty() && !Files.exists(folder));
            assertThat(caKeyColumn(server, cluster.id())).isEmpty();
        }
    }

    @Test
    void aWorkerThatPassesItsMemoryLimitIsRestarted() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");
            ClusterView cluster = ada.createCluster(
                    new CreateClusterRequest(
                            Optional.of("greedy"),
                            Optional.empty(),
                            Optional.of(1),
                            Optional.of(1),
                            Optional.of(256L * 1024 * 1024),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty()),
                    Optional.empty());
            cluster = Clusters.awaitState(ada, cluster.id(), "running");
            TestingDask.ClientFiles files = TestingDask.credentials(ada, cluster.id(), temporary.resolve("ada"));

            TestingDask.Result greedy = TestingDask.python(String.join(
                    "\n",
                    "import time",
                    "from distributed import Client",
                    "from distributed.security import Security",
                    "security = Security(tls_ca_file='"
                            + files.certificateAuthority().orElseThrow()
                            + "', tls_client_cert='" + files.certificate().orElseThrow() + "', tls_client_key='"
                            + files.key().orElseThrow() + "', require_encryption=True)",
                    "client = Client('" + cluster.schedulerAddress().orElseThrow()
                            + "', security=security, timeout=10)",
                    "def hog():",
                    "    block = bytearray(400 * 1024 * 1024)",
                    "    for i in range(0, len(block), 4096):",
                    "        block[i] = 1",
                    "    time.sleep(30)",
                    "    return len(block)",
                    "future = client.submit(hog, retries=0)",
                    "try:",
                    "    print('RESULT', future.result(timeout=60))",
                    "except Exception as e:",
                    "    print('FAILED', type(e).__name__)"));

            assertThat(greedy.output()).contains("FAILED").doesNotContain("RESULT");
            String id = cluster.id();
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(ada.clusterEvents(id, 0))
                            .extracting(ClusterEventView::message)
                            .anySatisfy(message ->
                                    assertThat(message).contains("worker-0 passed 95% of its memory limit")));
            Clusters.awaitState(ada, id, "running");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Clusters.processes(server, id).stream()
                            .anyMatch(process -> process.node().startsWith("worker-")
                                    && !process.node().equals("worker-0")));
        }
    }

    @Test
    void aDatabaseDumpAfterCreatingClustersHoldsNoPrivateKeyInClear() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");
            ClusterView cluster = ada.createCluster(Clusters.request("keys", 0), Optional.empty());
            byte[] caKey = server.server()
                    .keyring()
                    .decrypt(
                            server.server()
                                    .database()
                                    .jdbi()
                                    .onDemand(ClusterDao.class)
                                    .find(cluster.id())
                                    .orElseThrow()
                                    .accountId(),
                            ClusterPki.ENCRYPTED_COLUMNS.get(0).location(cluster.id()),
                            caKeyColumn(server, cluster.id()).orElseThrow());

            String dump = DatabaseDump.script(server.server().database());

            assertThat(dump).contains("BEGIN CERTIFICATE").doesNotContain("PRIVATE KEY");
            assertThat(dump.toLowerCase(java.util.Locale.ROOT))
                    .doesNotContain(HexFormat.of().formatHex(caKey));
            assertThat(dump)
                    .doesNotContain(Base64.getEncoder().encodeToString(caKey).substring(0, 40));
        }
    }

    private static long leader(TestingCapstanServer server, String clusterId, String node) {
        return Clusters.processes(server, clusterId).stream()
                .filter(process -> process.node().equals(node) && process.isGroupLeader())
                .findFirst()
                .orElseThrow()
                .pid();
    }

    private static Optional<io.capstan.server.keyring.Ciphertext> caKeyColumn(TestingCapstanServer server, String id) {
        return server.server().database().jdbi().onDemand(ClusterDao.class).caKey(id);
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
