package io.capstan.api.admin;

import java.time.Instant;
import java.util.Optional;

/**
 * A data key rotation and its progress: {@code running} while new keys are made and stored values re-encrypted,
 * then {@code done}; {@code failed} with an error. It survives restarts of the server and resumes where it stopped.
 */
public record DataKeyRotationView(
        String id,
        String scope,
        String state,
        String phase,
        long rowsScanned,
        long rowsReencrypted,
        long rowsTotal,
        Instant startedAt,
        Optional<Instant> finishedAt,
        Optional<String> error) {}
