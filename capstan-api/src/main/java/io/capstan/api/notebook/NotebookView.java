package io.capstan.api.notebook;

import io.capstan.api.Visibility;
import java.time.Instant;

/** A stored notebook's metadata; its content is fetched on its own. */
public record NotebookView(
        String id,
        String account,
        String name,
        Visibility visibility,
        long sizeBytes,
        int cells,
        String creator,
        Instant createdAt,
        Instant updatedAt) {}
