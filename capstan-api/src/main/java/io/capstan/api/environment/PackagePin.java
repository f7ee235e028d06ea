package io.capstan.api.environment;

/** A package of an environment and its version pin, as metadata: Capstan does not install anything from it. */
public record PackagePin(String name, String version) {}
