package io.capstan.api.admin;

import java.util.Optional;

/** Starts a data key rotation for one account, or for every account and user when none is named. */
public record StartDataKeyRotation(Optional<String> account) {}
