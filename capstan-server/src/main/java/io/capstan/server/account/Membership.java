package io.capstan.server.account;

import io.capstan.api.Role;
import java.time.Instant;

/** A user's membership of an account, joined with both names for display. */
public record Membership(
        String accountId, String accountName, String userId, String username, Role role, Instant createdAt) {}
