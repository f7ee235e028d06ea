package io.capstan.api.user;

/** Creates a user. Only server administrators may, and only they may create another server administrator. */
public record CreateUserRequest(String username, String email, boolean serverAdmin) {}
