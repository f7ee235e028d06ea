package io.capstan.server.telemetry;

import io.capstan.server.internal.Secret;
import io.capstan.server.telemetry.prometheus.PrometheusFormatException;
import io.capstan.server.telemetry.prometheus.PrometheusLimits;
import io.capstan.server.telemetry.prometheus.PrometheusScrape;
import io.capstan.server.telemetry.prometheus.PrometheusTextParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads a Dask scheduler's Prometheus metrics. The scheduler's HTTP endpoint requires the cluster's own bearer
 * token (see the preload in the local backend), and its answer is hostile input: bounded in time and size, and
 * parsed by our own strict parser. Thread-safe.
 */
public final class SchedulerMetricsClient {
    private final HttpClient http;
    private final PrometheusTextParser parser;
    private final Duration timeout;

    public SchedulerMetricsClient(Duration timeout, PrometheusLimits limits) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.parser = new PrometheusTextParser(limits);
    }

    /** The metrics at {@code endpoint}; fails with {@link IOException} for any network or format problem. */
    public PrometheusScrape scrape(URI endpoint, Secret token) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Authorization", "Bearer " + token.reveal())
                .GET()
                .build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("the scheduler's metrics endpoint answered HTTP " + response.statusCode());
                }
                return parser.parse(body);
            }
        } catch (PrometheusFormatException e) {
            throw new IOException("the scheduler's metrics are malformed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the scheduler's metrics", e);
        }
    }
}
