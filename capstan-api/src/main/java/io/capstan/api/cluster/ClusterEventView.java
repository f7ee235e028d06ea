package io.capstan.api.cluster;

import java.time.Instant;

/** Something that happened to a cluster: a state change with its reason, a certificate issued, a worker replaced. */
public record ClusterEventView(long id, Instant at, String kind, String message) {}
