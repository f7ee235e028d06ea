package io.capstan.api.account;

/** Limits of an account, or its use of them: concurrent clusters, workers, and cores (threads over all workers). */
public record Quota(int clusters, int workers, int cores) {}
