package io.capstan.server.cluster;

import java.util.Locale;

/** The states of a cluster; see {@link ClusterLifecycle} for the machine that moves between them. */
public enum ClusterState {
    PENDING,
    STARTING,
    RUNNING,
    SCALING,
    STOPPING,
    STOPPED,
    FAILED;

    /** Whether the lifecycle still has work to do for a cluster in this state. */
    public boolean isActive() {
        return switch (this) {
            case PENDING, STARTING, RUNNING, SCALING, STOPPING -> true;
            case STOPPED, FAILED -> false;
        };
    }

    /** Whether processes of the cluster may run (and count against quotas). */
    public boolean holdsResources() {
        return switch (this) {
            case PENDING, STARTING, RUNNING, SCALING -> true;
            case STOPPING, STOPPED, FAILED -> false;
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
