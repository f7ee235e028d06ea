package io.capstan.server.telemetry.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Whole payloads as Dask serves them. {@code dask-2022.12-scheduler.txt} was recorded from Debian's Dask 2022.12.1
 * (prometheus_client 0.16.0) after one worker ran 10 {@code inc}, 10 {@code double}, one {@code sum} and one failing
 * task, with the client still holding the results; the newer payload is written by hand.
 */
class TestDaskMetricsPayloads {
    private final PrometheusTextParser parser = new PrometheusTextParser(PrometheusLimits.defaults());

    @Test
    void recordedDask2022SchedulerPayload() throws Exception {
        PrometheusScrape scrape = parse("dask-2022.12-scheduler.txt");

        assertThat(scrape.samples()).hasSize(78);
        assertThat(scrape.types()).hasSize(27);
        assertThat(scrape.sum("dask_scheduler_clients", Map.of())).contains(1.0);
        assertThat(scrape.sum("dask_scheduler_workers", Map.of("state", "connected")))
                .contains(1.0);
        assertThat(scrape.sum("dask_scheduler_workers", Map.of("state", "idle")))
                .contains(1.0);
        assertThat(scrape.sum("dask_scheduler_tasks", Map.of("state", "memory")))
                .contains(21.0);
        assertThat(scrape.sum("dask_scheduler_tasks", Map.of("state", "erred"))).contains(1.0);
        assertThat(scrape.sum("dask_scheduler_tasks", Map.of())).contains(22.0);
        assertThat(scrape.sum("dask_scheduler_prefix_state_totals_total", Map.of("state", "memory")))
                .contains(21.0);
        assertThat(scrape.samples(
                        "dask_scheduler_prefix_state_totals_total",
                        Map.of("task_prefix_name", "fail", "state", "erred")))
                .singleElement()
                .extracting(PrometheusSample::value)
                .isEqualTo(1.0);
        assertThat(scrape.samples("dask_scheduler_tasks_suspicious_total"))
                .extracting(sample -> sample.labels().get("task_prefix_name"))
                .containsExactly("inc", "double", "sum", "fail");
        assertThat(scrape.sum("dask_scheduler_tick_count_total", Map.of())).contains(792.0);
        assertThat(scrape.sum("dask_scheduler_tick_duration_maximum_seconds", Map.of()))
                .contains(0.014664888381958008);
        assertThat(scrape.sum("process_virtual_memory_bytes", Map.of())).contains(3.97111296e+08);
        assertThat(scrape.samples("python_info"))
                .singleElement()
                .isEqualTo(new PrometheusSample(
                        "python_info",
                        Map.of(
                                "implementation", "CPython",
                                "major", "3",
                                "minor", "11",
                                "patchlevel", "2",
                                "version", "3.11.2"),
                        1.0,
                        Optional.empty()));
        // Families Dask declares but has nothing to report for yet.
        assertThat(scrape.type("dask_semaphore_max_leases")).contains("gauge");
        assertThat(scrape.samples("dask_semaphore_max_leases")).isEmpty();
        assertThat(scrape.type("dask_stealing_request_count_total")).contains("counter");
        assertThat(scrape.samples("dask_stealing_request_count_total", Map.of("cost_multiplier", "1.03125")))
                .hasSize(1);
        assertThat(scrape.samples())
                .allSatisfy(sample -> assertThat(sample.timestampMillis()).isEmpty());
    }

    @Test
    void handWrittenNewerDaskSchedulerPayload() throws Exception {
        PrometheusScrape scrape = parse("dask-newer-scheduler-handwritten.txt");

        assertThat(scrape.samples()).hasSize(47);
        assertThat(scrape.sum("dask_scheduler_workers", Map.of("state", "idle")))
                .contains(1.0);
        assertThat(scrape.sum("dask_scheduler_workers", Map.of())).contains(4.0);
        assertThat(scrape.sum("dask_scheduler_tasks", Map.of("state", "memory")))
                .contains(150.0);
        assertThat(scrape.sum("dask_scheduler_tasks", Map.of("state", "no-worker")))
                .contains(0.0);
        assertThat(scrape.sum(
                        "dask_scheduler_prefix_state_totals_total",
                        Map.of("task_prefix_name", "inc", "state", "memory")))
                .contains(100.0);
        assertThat(scrape.sum("dask_scheduler_prefix_state_totals_total", Map.of("state", "memory")))
                .contains(150.0);
        assertThat(scrape.sum("dask_scheduler_tasks_compute_seconds_total", Map.of()))
                .hasValueSatisfying(total -> assertThat(total).isCloseTo(182.7515, within(1e-9)));
        assertThat(scrape.sum(
                        "dask_scheduler_tasks_compute_seconds_total", Map.of("task_prefix_name", "read-parquet-fused")))
                .contains(182.5);
        assertThat(scrape.sum("dask_scheduler_tasks_output_bytes", Map.of("state", "memory")))
                .contains(73_400_320.0);
        assertThat(scrape.sum("dask_scheduler_tick_count_total", Map.of())).contains(123_456.0);
        assertThat(scrape.sum("dask_scheduler_client_connections_added_total", Map.of()))
                .contains(5.0);

        assertThat(scrape.type("dask_scheduler_task_duration_seconds")).contains("histogram");
        assertThat(scrape.sum("dask_scheduler_task_duration_seconds_bucket", Map.of("le", "+Inf")))
                .contains(150.0);
        assertThat(scrape.sum("dask_scheduler_task_duration_seconds_count", Map.of()))
                .contains(150.0);
        assertThat(scrape.sum("dask_scheduler_task_duration_seconds_sum", Map.of()))
                .contains(12.75);
        assertThat(scrape.type("dask_scheduler_transfer_latency_seconds")).contains("summary");
        assertThat(scrape.samples("dask_scheduler_transfer_latency_seconds", Map.of("quantile", "0.99")))
                .singleElement()
                .satisfies(sample -> assertThat(sample.value()).isNaN());
    }

    @Test
    void bothPayloadsSurviveAFormatAndParseRoundTrip() throws Exception {
        for (String resource : new String[] {"dask-2022.12-scheduler.txt", "dask-newer-scheduler-handwritten.txt"}) {
            PrometheusScrape scrape = parse(resource);

            assertThat(parser.parse(PrometheusTextFormatter.format(scrape)))
                    .as(resource)
                    .isEqualTo(scrape);
        }
    }

    private PrometheusScrape parse(String resource) throws IOException, PrometheusFormatException {
        try (InputStream in = TestDaskMetricsPayloads.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return parser.parse(in);
        }
    }
}
