package io.capstan.api.user;

import io.capstan.api.Role;

/** One account a user belongs to, and the role they have there. */
public record MembershipView(String account, Role role) {}
