package io.capstan.server.notebook;

import io.capstan.api.Visibility;
import io.capstan.server.keyring.Ciphertext;
import java.time.Instant;

/** A row of {@code notebooks}; the content is encrypted under the owning account's data key. */
public record Notebook(
        String id,
        String accountId,
        String creatorId,
        String name,
        Visibility visibility,
        Ciphertext contentCiphertext,
        long sizeBytes,
        int cells,
        Instant createdAt,
        Instant updatedAt) {}
