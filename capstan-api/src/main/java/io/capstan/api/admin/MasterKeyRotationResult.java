package io.capstan.api.admin;

import java.util.List;
import java.util.Optional;

/** The outcome of a master key rotation. {@code advice} says what the operator must still do, if anything. */
public record MasterKeyRotationResult(
        List<String> versionsBefore,
        String primaryVersion,
        int rewrapped,
        List<String> versionsAfter,
        Optional<String> advice) {
    public MasterKeyRotationResult {
        versionsBefore = List.copyOf(versionsBefore);
        versionsAfter = List.copyOf(versionsAfter);
    }
}
