package io.capstan.api.cluster;

import java.time.Instant;

/** A line a process of a cluster wrote: which node, on which stream, when it was collected. */
public record LogLineView(long id, Instant at, String node, String stream, String text) {}
