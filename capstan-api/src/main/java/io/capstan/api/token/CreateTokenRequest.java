package io.capstan.api.token;

import io.capstan.api.Scope;
import java.time.Instant;
import java.util.Optional;

/** Creates a token. Without a scope, the new token gets the scope of the token that creates it. */
public record CreateTokenRequest(String name, Optional<Scope> scope, Optional<Instant> expiresAt) {}
