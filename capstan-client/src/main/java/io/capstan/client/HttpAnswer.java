package io.capstan.client;

import static java.util.Objects.requireNonNull;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A raw answer, for callers that need the status and headers themselves (tests, streaming commands). */
public final class HttpAnswer {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;

    public HttpAnswer(int status, HttpHeaders headers, byte[] body) {
        this.status = status;
        this.headers = requireNonNull(headers, "headers is null");
        this.body = body.clone();
    }

    public int status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }
}
