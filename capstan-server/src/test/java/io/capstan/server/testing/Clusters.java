package io.capstan.server.testing;

import static org.awaitility.Awaitility.await;

import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.client.CapstanClient;
import io.capstan.server.backend.local.ProcessTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Creating clusters and waiting for them in tests. */
public final class Clusters {
    private Clusters() {}

    public static CreateClusterRequest request(String name, int workers) {
        return request(name, Optional.empty(), workers);
    }

    /** A small cluster in {@code account}, for callers who belong to several accounts. */
    public static CreateClusterRequest request(String name, String account, int workers) {
        return request(name, Optional.of(account), workers);
    }

    private static CreateClusterRequest request(String name, Optional<String> account, int workers) {
        return new CreateClusterRequest(
                Optional.of(name),
                account,
                Optional.of(workers),
                Optional.of(1),
                Optional.of(512L * 1024 * 1024),
                Optional.empty(),
                Optional.empty(),
                Optional.of(Map.of()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    public static ClusterView createRunning(CapstanClient client, String name, int workers) {
        ClusterView created = client.createCluster(request(name, workers), Optional.empty());
        return awaitState(client, created.id(), "running");
    }

    public static ClusterView awaitState(CapstanClient client, String id, String state) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    String current = client.showCluster(id).state();
                    if (!current.equals(state) && (current.equals("failed") || current.equals("stopped"))) {
                        throw new AssertionError("cluster " + id + " is " + current + " ("
                                + client.showCluster(id).stateReason().orElse("") + "), not " + state);
                    }
                    return current.equals(state);
                });
        return client.showCluster(id);
    }

    /** Waits for {@code state}, which may be an end state itself, such as {@code failed}. */
    public static ClusterView awaitStateAllowingFailure(CapstanClient client, String id, String state) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> client.showCluster(id).state().equals(state));
        return client.showCluster(id);
    }

    /** Every process of this installation that belongs to {@code clusterId}. */
    public static List<ProcessTable.MarkedProcess> processes(TestingCapstanServer server, String clusterId) {
        return ProcessTable.scan(server.server().keyring().keyringId()).stream()
                .filter(process -> process.clusterId().equals(clusterId))
                .toList();
    }

    public static Set<Long> pids(TestingCapstanServer server, String clusterId) {
        return processes(server, clusterId).stream()
                .map(ProcessTable.MarkedProcess::pid)
                .collect(Collectors.toSet());
    }
}
