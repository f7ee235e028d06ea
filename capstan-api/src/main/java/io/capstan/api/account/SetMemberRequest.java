package io.capstan.api.account;

import io.capstan.api.Role;

/** Adds a user to an account, or changes their role there. */
public record SetMemberRequest(Role role) {}
