package io.capstan.server.user;

import java.time.Instant;

/** A person who signs in with API tokens. A server administrator manages accounts and users. */
public record User(String id, String username, String email, boolean serverAdmin, Instant createdAt) {}
