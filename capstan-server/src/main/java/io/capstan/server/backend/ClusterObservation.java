package io.capstan.server.backend;

import java.util.Optional;

/**
 * What a backend sees of a cluster right now. {@code statistics} is present when the scheduler answered its
 * metrics endpoint.
 */
public record ClusterObservation(
        SchedulerStatus scheduler,
        Optional<String> schedulerAddress,
        int workerProcesses,
        Optional<SchedulerStatistics> statistics,
        Optional<String> problem) {

    public enum SchedulerStatus {
        /** Nothing of the cluster runs here. */
        ABSENT,
        /** The scheduler process runs but does not serve yet. */
        STARTING,
        /** The scheduler serves. */
        UP,
        /** The scheduler process ended. */
        EXITED
    }

    /** Figures the scheduler reports about itself. */
    public record SchedulerStatistics(int workersConnected, int clients, int tasksProcessing, long tasksTotal) {}

    public static ClusterObservation absent() {
        return new ClusterObservation(SchedulerStatus.ABSENT, Optional.empty(), 0, Optional.empty(), Optional.empty());
    }
}
