package io.capstan.server.account;

import java.time.Instant;

/** A team: it owns clusters and shared resources, and has members with roles. */
public record Account(String id, String name, Instant createdAt, int quotaClusters, int quotaWorkers, int quotaCores) {}
