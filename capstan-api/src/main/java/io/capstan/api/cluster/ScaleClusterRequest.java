package io.capstan.api.cluster;

/** Changes the number of workers of a running cluster. */
public record ScaleClusterRequest(Integer workers) {}
