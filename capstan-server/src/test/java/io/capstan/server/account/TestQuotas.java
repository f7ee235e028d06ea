package io.capstan.server.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.account.Quota;
import io.capstan.api.account.SetQuotaRequest;
import io.capstan.api.account.UsageView;
import io.capstan.api.cluster.ClusterView;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestQuotas {
    private static CapstanClient teamMember(TestingCapstanServer server, Role role) {
        CapstanClient admin = server.adminClient();
        Fixtures.account(admin, "team");
        CapstanClient member = Fixtures.userClient(admin, "ada", Scope.ADMIN);
        admin.setMember("team", "ada", role);
        return member;
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void twentyConcurrentCreatesAgainstAQuotaOfTwoGiveExactlyTwoClusters(TestingDatabase.Kind kind) throws Exception {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient ada = teamMember(server, Role.MEMBER);
            server.adminClient()
                    .setQuota("team", new SetQuotaRequest(Optional.of(2), Optional.empty(), Optional.empty()));
            ExecutorService pool = Executors.newFixedThreadPool(20);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<CapstanApiException>>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String name = "race-" + i;
                Callable<Optional<CapstanApiException>> create = () -> {
                    start.await();
                    try {
                        ada.createCluster(Clusters.request(name, 0), Optional.empty());
                        return Optional.empty();
                    } catch (CapstanApiException e) {
                        return Optional.of(e);
                    }
                };
                results.add(pool.submit(create));
            }
            start.countDown();
            List<CapstanApiException> refusals = new ArrayList<>();
            for (Future<Optional<CapstanApiException>> result : results) {
                result.get().ifPresent(refusals::add);
            }
            pool.shutdown();

            assertThat(refusals).hasSize(18).allSatisfy(refusal -> {
                assertThat(refusal.status()).isEqualTo(409);
                assertThat(refusal.problem().code()).isEqualTo("quota_exceeded");
                assertThat(refusal.problem().context())
                        .containsEntry("resource", "clusters")
                        .containsEntry("limit", 2)
                        .containsEntry("current", 2);
                assertThat(refusal.problem().detail()).contains("quota of 2 clusters");
            });
            assertThat(ada.listClusters(Optional.empty())).hasSize(2);
            UsageView usage = ada.usage("team");
            assertThat(usage.used()).isEqualTo(new Quota(2, 0, 0));
            assertThat(usage.quota().clusters()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void scalingBeyondTheQuotaIsRefusedTheSameWay(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient ada = teamMember(server, Role.MEMBER);
            server.adminClient()
                    .setQuota("team", new SetQuotaRequest(Optional.empty(), Optional.of(3), Optional.of(3)));
            ClusterView cluster = Clusters.createRunning(ada, "small", 1);

            assertThatThrownBy(() -> ada.scaleCluster(cluster.id(), 4))
                    .isInstanceOfSatisfying(CapstanApiException.class, e -> {
                        assertThat(e.problem().code()).isEqualTo("quota_exceeded");
                        assertThat(e.problem().context())
                                .containsEntry("resource", "workers")
                                .containsEntry("limit", 3);
                    });
            assertThatThrownBy(() -> ada.createCluster(Clusters.request("second", 3), Optional.empty()))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.problem().code()).isEqualTo("quota_exceeded"));
            assertThat(ada.showCluster(cluster.id()).workers()).isEqualTo(1);
            assertThat(ada.usage("team").used()).isEqualTo(new Quota(1, 1, 1));
            ada.scaleCluster(cluster.id(), 3);
            assertThat(ada.usage("team").used()).isEqualTo(new Quota(1, 3, 3));
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void accountAdminsSetQuotasWithinTheServersCeilingAndMembersDoNot(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient lead = teamMember(server, Role.ADMIN);
            CapstanClient member = Fixtures.userClient(server.adminClient(), "bob", Scope.ADMIN);
            server.adminClient().setMember("team", "bob", Role.MEMBER);
            CapstanClient outsider = Fixtures.userClient(server.adminClient(), "eve", Scope.ADMIN);

            assertThat(lead.setQuota("team", new SetQuotaRequest(Optional.of(7), Optional.empty(), Optional.empty()))
                            .quota()
                            .clusters())
                    .isEqualTo(7);
            assertThatThrownBy(() -> member.setQuota(
                            "team", new SetQuotaRequest(Optional.of(50), Optional.empty(), Optional.empty())))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.status()).isEqualTo(403));
            assertThatThrownBy(() -> outsider.usage("team"))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> lead.setQuota(
                            "team", new SetQuotaRequest(Optional.of(1_000_000), Optional.empty(), Optional.empty())))
                    .isInstanceOfSatisfying(CapstanApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.problem().field()).contains("clusters");
                    });
            assertThat(member.usage("team").quota().clusters()).isEqualTo(7);
        }
    }
}
