package io.capstan.api.account;

public record CreateAccountRequest(String name) {}
