package io.capstan.api.notebook;

import io.capstan.api.Visibility;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Stores a Jupyter notebook ({@code .ipynb}, nbformat 4) under the account and name of the path; pushing again
 * replaces the content. Without {@code visibility} a new notebook gets the server's default, and a replaced one
 * keeps its own.
 */
public record PushNotebookRequest(Optional<Visibility> visibility, JsonNode notebook) {}
