package io.capstan.api.cluster;

import java.util.List;

/**
 * Lines of a cluster's output after a cursor, with the cluster's state (a follower stops when it has stopped) and how
 * many lines were dropped by the size guard so far.
 */
public record ClusterLogs(List<LogLineView> items, String clusterState, long droppedLines) {
    public ClusterLogs {
        items = List.copyOf(items);
    }
}
