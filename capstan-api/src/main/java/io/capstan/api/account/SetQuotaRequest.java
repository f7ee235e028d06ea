package io.capstan.api.account;

import java.util.Optional;

/** Changes an account's quota; absent members stay as they are. */
public record SetQuotaRequest(Optional<Integer> clusters, Optional<Integer> workers, Optional<Integer> cores) {}
