package io.capstan.api.notebook;

import io.capstan.api.Visibility;
import java.util.Optional;

public record UpdateNotebookRequest(Optional<Visibility> visibility) {}
