package io.capstan.api.user;

import io.capstan.api.Scope;
import java.time.Instant;
import java.util.Optional;

/** Who the caller is, and what the token they called with may do. */
public record Me(UserView user, String tokenId, String tokenName, Scope scope, Optional<Instant> tokenExpiresAt) {}
