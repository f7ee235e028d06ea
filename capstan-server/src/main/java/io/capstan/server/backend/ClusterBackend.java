package io.capstan.server.backend;

import io.capstan.server.internal.Secret;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a cluster's scheduler and workers run. The control plane decides what should run (the cluster lifecycle)
 * and a backend makes it so: on this machine ({@code local}), later in the customer's infrastructure through an
 * agent, on Kubernetes or on EC2. Every method is idempotent and safe to call again after a crash of the control
 * plane: the lifecycle calls them level-triggered, from what it reads in the database and what it observes here.
 */
public interface ClusterBackend {
    /** The name stored with each cluster, such as {@code local}. */
    String name();

    /** Starts whatever of the cluster is not running yet: the scheduler and the workers, as soon as possible. */
    void start(ClusterSpec spec);

    /**
     * Brings the running workers to {@code spec.workers()}: starts new ones (also to replace workers that died),
     * stops surplus ones, and restarts those that passed their memory limit. Says what it had to repair.
     */
    WorkerRepairs reconcileWorkers(ClusterSpec spec);

    /** Workers that died since the last call, and workers restarted because they passed their memory limit. */
    record WorkerRepairs(int died, java.util.List<String> restartedForMemory) {
        public WorkerRepairs {
            restartedForMemory = java.util.List.copyOf(restartedForMemory);
        }

        public static WorkerRepairs none() {
            return new WorkerRepairs(0, java.util.List.of());
        }
    }

    /** What runs of the cluster now. Cheap enough to be called every second. */
    ClusterObservation observe(String clusterId);

    /** Stops every process of the cluster, politely, then forcibly after a grace period. Its files stay. */
    void stopProcesses(String clusterId);

    /**
     * Stops every process of the cluster (as {@link #stopProcesses}) and removes every file of it. Afterwards
     * nothing of the cluster is left on the machine.
     */
    void destroy(String clusterId);

    /** Where the scheduler's HTTP routes (metrics, JSON) are, and the token they need, while it runs. */
    Optional<SchedulerEndpoint> schedulerEndpoint(String clusterId);

    record SchedulerEndpoint(URI base, Secret token) {}

    /**
     * The output the cluster's processes wrote after {@code positions} (one position per source, such as {@code
     * scheduler.stdout}), at most about {@code maxBytes}, in whole lines, with the positions to continue from.
     * Output a backend had to discard to protect its disk is counted in {@code droppedBytes}.
     */
    LogChunk readLogs(String clusterId, Map<String, Long> positions, int maxBytes);

    record LogChunk(List<LogLine> lines, Map<String, Long> positions, long droppedBytes) {
        public LogChunk {
            lines = List.copyOf(lines);
            positions = Map.copyOf(positions);
        }
    }

    /** A line of output: which node wrote it, on which stream. */
    record LogLine(String node, String stream, String text) {}

    /** The clusters of which this backend has anything at all: processes or files. Used to find orphans. */
    Set<String> present();
}
