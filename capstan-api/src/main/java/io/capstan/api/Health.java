package io.capstan.api;

/** The answer of {@code GET /healthz}: no secret, no detail an attacker could use. */
public record Health(String status, String version) {}
