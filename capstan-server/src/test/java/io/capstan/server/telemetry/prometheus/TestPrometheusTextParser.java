package io.capstan.server.telemetry.prometheus;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TestPrometheusTextParser {
    /** Far beyond what any of these parses needs, so that a slow parse fails instead of passing late. */
    private static final Duration QUICKLY = Duration.ofSeconds(10);

    private final PrometheusTextParser parser = new PrometheusTextParser(PrometheusLimits.defaults());

    @Test
    void parsesNameLabelsValueAndTimestamp() throws Exception {
        PrometheusScrape scrape =
                parser.parse("http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n");

        assertThat(scrape.samples())
                .containsExactly(new PrometheusSample(
                        "http_requests_total",
                        Map.of("code", "200", "method", "post"),
                        1027,
                        Optional.of(1395066363000L)));
        assertThat(scrape.types()).isEmpty();
    }

    @Test
    void labelsAreSortedByNameAndCannotBeChanged() throws Exception {
        PrometheusSample sample = only("m{zeta=\"1\",alpha=\"2\",mid=\"3\"} 1\n");

        assertThat(sample.labels())
                .containsExactly(Map.entry("alpha", "2"), Map.entry("mid", "3"), Map.entry("zeta", "1"));
        assertThatThrownBy(() -> sample.labels().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void acceptsEveryLabelSetShapeTheFormatAllows() throws Exception {
        assertThat(only("plain 1\n").labels()).isEmpty();
        assertThat(only("empty{} 1\n").labels()).isEmpty();
        assertThat(only("trailing{a=\"1\",} 1\n").labels()).containsExactly(Map.entry("a", "1"));
        assertThat(only("spaced { a = \"1\" , b=\"2\" , } 1\n").labels())
                .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        assertThat(only("tight{a=\"1\"}2\n").value()).isEqualTo(2);
        assertThat(only("\t tabs\t{a=\"1\"}\t3\t4\t \n").timestampMillis()).contains(4L);
        assertThat(only("colons:in:names_9 1\n").name()).isEqualTo("colons:in:names_9");
        assertThat(only("_underscore{_label=\"\"} 1\n").labels()).containsExactly(Map.entry("_label", ""));
    }

    @Test
    void readsFloatsInEveryFormTheFormatAllows() throws Exception {
        assertThat(only("m 1\n").value()).isEqualTo(1.0);
        assertThat(only("m -1.5\n").value()).isEqualTo(-1.5);
        assertThat(only("m +3\n").value()).isEqualTo(3.0);
        assertThat(only("m .5\n").value()).isEqualTo(0.5);
        assertThat(only("m 5.\n").value()).isEqualTo(5.0);
        assertThat(only("m 1e3\n").value()).isEqualTo(1000.0);
        assertThat(only("m 3.36494592e+08\n").value()).isEqualTo(336494592.0);
        assertThat(only("m 1.5E-3\n").value()).isEqualTo(0.0015);
        assertThat(only("m -0.0\n").value()).isEqualTo(-0.0);
        assertThat(only("m 0.014664888381958008\n").value()).isEqualTo(0.014664888381958008);
        assertThat(only("m 1e999\n").value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(only("m +Inf\n").value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(only("m Inf\n").value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(only("m -Inf\n").value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(only("m NaN\n").value()).isNaN();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Infinity",
                "-Infinity",
                "nan",
                "inf",
                "1d",
                "1f",
                "0x1p3",
                "1_000",
                "1e",
                "e5",
                ".",
                "+",
                "-",
                "1.2.3",
                "1e+",
                "--1",
                "１",
                " 1 x"
            })
    void rejectsNumbersOnlyJavaOrNobodyWouldRead(String value) {
        assertRejected("m " + value + "\n").hasMessageContaining("line 1");
    }

    @Test
    void readsTimestamps() throws Exception {
        assertThat(only("m 1 -5\n").timestampMillis()).contains(-5L);
        assertThat(only("m 1 +5\n").timestampMillis()).contains(5L);
        assertThat(only("m 1 9223372036854775807\n").timestampMillis()).contains(Long.MAX_VALUE);
        assertThat(only("m 1\n").timestampMillis()).isEmpty();
        assertRejected("m 1 9223372036854775808\n").hasMessageContaining("64 bits");
        assertRejected("m 1 1.5\n").hasMessageContaining("timestamp");
        assertRejected("m 1 now\n").hasMessageContaining("timestamp");
        assertRejected("m 1 2 3\n").hasMessageContaining("after the sample's value");
    }

    @Test
    void resolvesTheThreeEscapesInLabelValues() throws Exception {
        PrometheusSample sample = only("m{path=\"C:\\\\dask\",quote=\"say \\\"hi\\\"\",lines=\"a\\nb\"} 1\n");

        assertThat(sample.labels())
                .containsEntry("path", "C:\\dask")
                .containsEntry("quote", "say \"hi\"")
                .containsEntry("lines", "a\nb");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\t", "\\u0041", "\\'", "\\x41", "\\0", "\\N", "\\ "})
    void rejectsAnyOtherEscapeInLabelValues(String escape) {
        assertRejected("m{a=\"" + escape + "\"} 1\n").hasMessageContaining("escape");
    }

    @Test
    void rejectsABackslashEndingTheLine() {
        assertRejected("m{a=\"\\\n").hasMessageContaining("escape");
    }

    @Test
    void keepsUnicodeInLabelValuesAndRejectsInvalidUtf8() throws Exception {
        assertThat(only("m{who=\"Zoë 🚀\"} 1\n").labels()).containsEntry("who", "Zoë 🚀");

        byte[] latin1 = "m{who=\"Zo\u00eb\"} 1\n".getBytes(ISO_8859_1);
        assertThatThrownBy(() -> parser.parse(new ByteArrayInputStream(latin1)))
                .isInstanceOf(PrometheusFormatException.class)
                .hasMessageContaining("UTF-8");
        assertRejected("m{who=\"\ud800\"} 1\n").hasMessageContaining("surrogate");
    }

    @Test
    void readsTypesAndIgnoresHelpOtherCommentsAndBlankLines() throws Exception {
        PrometheusScrape scrape = parser.parse("""
                # HELP dask_scheduler_workers Number of workers\\nknown by the \\\\ scheduler
                # TYPE dask_scheduler_workers gauge

                #    a comment of any kind, with "quotes" and \\q
                #
                \t
                dask_scheduler_workers{state="idle"} 1.0
                  # TYPE dask_scheduler_tick_count_total counter
                # TYPE empty_family untyped
                # HELPER is just a word
                """);

        assertThat(scrape.samples())
                .containsExactly(new PrometheusSample("dask_scheduler_workers", Map.of("state", "idle"), 1));
        assertThat(scrape.types())
                .containsOnly(
                        Map.entry("dask_scheduler_workers", "gauge"),
                        Map.entry("dask_scheduler_tick_count_total", "counter"),
                        Map.entry("empty_family", "untyped"));
    }

    @Test
    void acceptsTheFiveKindsOfTheFormatAndNoOther() throws Exception {
        for (String kind : new String[] {"counter", "gauge", "histogram", "summary", "untyped"}) {
            assertThat(parser.parse("# TYPE m " + kind + "\n").type("m")).contains(kind);
        }
        for (String kind : new String[] {"info", "stateset", "gaugehistogram", "unknown", "Counter", "GAUGE", ""}) {
            assertRejected("# TYPE m " + kind + "\n").hasMessageContaining("TYPE");
        }
        assertRejected("# TYPE m counter extra\n").hasMessageContaining("TYPE");
    }

    @Test
    void rejectsBrokenCommentsOfKnownKinds() {
        assertRejected("# TYPE m gauge\n# TYPE m counter\n").hasMessageContaining("line 2: second TYPE line for m");
        assertRejected("# TYPE\n").hasMessageContaining("without a metric name");
        assertRejected("# HELP\n").hasMessageContaining("without a metric name");
        assertRejected("# TYPE 9m gauge\n").hasMessageContaining("metric name");
        assertRejected("# TYPE m\n").hasMessageContaining("without a kind");
        assertRejected("# HELP m{ x\n").hasMessageContaining("HELP");
        assertRejected("# HELP m bad \\t escape\n").hasMessageContaining("escape in HELP");
        assertRejected("# HELP m ends in a backslash \\\n").hasMessageContaining("escape in HELP");
    }

    @Test
    void rejectsSampleLinesOutsideTheGrammar() {
        assertRejected("m{a=\"1\",a=\"2\"} 1\n").hasMessageContaining("label a appears twice");
        assertRejected("9m 1\n").hasMessageContaining("metric name");
        assertRejected("{a=\"1\"} 1\n").hasMessageContaining("metric name");
        assertRejected("m{a:b=\"1\"} 1\n").hasMessageContaining("'='");
        assertRejected("m{9a=\"1\"} 1\n").hasMessageContaining("label name");
        assertRejected("m{,} 1\n").hasMessageContaining("label name");
        assertRejected("m{a=\"1\",,} 1\n").hasMessageContaining("label name");
        assertRejected("m{a=1} 1\n").hasMessageContaining("open a label value");
        assertRejected("m{a} 1\n").hasMessageContaining("'='");
        assertRejected("m{a=\"1\" b=\"2\"} 1\n").hasMessageContaining("',' or '}'");
        assertRejected("m{a=\"1\"\n").hasMessageContaining("not closed");
        assertRejected("m{a=\"1} 1\n").hasMessageContaining("label value is not closed");
        assertRejected("m\n").hasMessageContaining("no value");
        assertRejected("m{}\n").hasMessageContaining("no value");
        assertRejected("m-1\n").hasMessageContaining("expected a blank");
        assertRejected("m 1\r\n").hasMessageContaining("not a number");
        assertRejected("métrique 1\n").hasMessageContaining("expected a blank");
    }

    @Test
    void rejectsAPayloadCutOffInItsLastLine() throws Exception {
        assertRejected("m 1\nm 12").hasMessageContaining("does not end with a line feed");
        assertThat(parser.parse("").samples()).isEmpty();
        assertThat(parser.parse("\n\n").samples()).isEmpty();
    }

    @Test
    void errorsNameTheLineAndQuoteOnlyAShortEscapedExcerpt() {
        String hostile = "m{a=\"" + "\u001b[31m\u0007".repeat(1_000) + "\\q\"} 1\n";

        PrometheusFormatException error = catchFormatException("ok 1\n# fine\n" + hostile);

        assertThat(error.lineNumber()).hasValue(3);
        assertThat(error.getMessage())
                .startsWith("line 3: ")
                .hasSizeLessThan(300)
                .doesNotContain("\u001b", "\u0007");
        assertThat(error.getMessage()).contains("\\x5cq");
    }

    @Test
    void parsingAStringAndAStreamAgree() throws Exception {
        String payload = "# TYPE m counter\nm{a=\"x\\ny\"} 2.5 17\nm 3\n";

        assertThat(parser.parse(new ByteArrayInputStream(payload.getBytes(UTF_8))))
                .isEqualTo(parser.parse(payload));
    }

    @Test
    void scrapeHelpersSelectByNameAndLabelSubset() throws Exception {
        PrometheusScrape scrape = parser.parse("""
                # TYPE t gauge
                t{state="memory",prefix="inc"} 2
                t{state="memory",prefix="sum"} 3
                t{state="erred",prefix="inc"} 1
                other{state="memory"} 100
                """);

        assertThat(scrape.samples("t")).hasSize(3);
        assertThat(scrape.samples("t", Map.of("prefix", "inc"))).hasSize(2);
        assertThat(scrape.sum("t", Map.of("state", "memory"))).contains(5.0);
        assertThat(scrape.sum("t", Map.of())).contains(6.0);
        assertThat(scrape.sum("t", Map.of("state", "waiting"))).isEmpty();
        assertThat(scrape.sum("missing", Map.of())).isEmpty();
        assertThat(scrape.type("t")).contains("gauge");
        assertThat(scrape.type("other")).isEmpty();
    }

    // Limits: each one is exact (a payload at the limit passes, one byte or item over fails) and fails fast.

    @Test
    void maxBytesIsExact() throws Exception {
        PrometheusTextParser small = new PrometheusTextParser(new PrometheusLimits(8, 1024, 10, 10, 10, 10));

        assertThat(small.parse("m 12345\n").samples()).hasSize(1);
        assertThat(small.parse(new ByteArrayInputStream("m 12345\n".getBytes(UTF_8)))
                        .samples())
                .hasSize(1);
        assertRejectedBy(small, "m 123456\n").hasMessage("payload is larger than 8 bytes");
        assertThatThrownBy(() -> small.parse(new ByteArrayInputStream("m 123456\n".getBytes(UTF_8))))
                .isInstanceOf(PrometheusFormatException.class)
                .hasMessage("payload is larger than 8 bytes");
        // Counted in UTF-8 bytes, not in chars: "é" is two bytes.
        assertRejectedBy(small, "#éééé\n").hasMessage("payload is larger than 8 bytes");
    }

    @Test
    void anEndlessStreamIsRejectedAfterMaxBytesWithoutReadingOn() {
        CountingEndlessStream endless = new CountingEndlessStream("dask_scheduler_tasks{state=\"memory\"} 1\n");

        assertTimeoutPreemptively(
                QUICKLY,
                () -> assertThatThrownBy(() -> parser.parse(endless))
                        .isInstanceOf(PrometheusFormatException.class)
                        .hasMessage("payload is larger than 8388608 bytes"));
        assertThat(endless.bytesRead()).isEqualTo(PrometheusLimits.defaults().maxBytes() + 1L);
    }

    @Test
    void maxLineLengthIsExactAndAHugeLineFailsFast() throws Exception {
        PrometheusTextParser small = new PrometheusTextParser(new PrometheusLimits(1024, 10, 10, 10, 10, 10));

        assertThat(small.parse("m 12345678\n").samples()).hasSize(1);
        assertThat(small.parse("#234567890\n").samples()).isEmpty();
        assertRejectedBy(small, "ok 1\nm 123456789\n").hasMessageStartingWith("line 2: line is longer than 10 bytes");
        assertRejectedBy(small, "#2345678901\n").hasMessageContaining("longer than 10 bytes");

        String hugeLine = "m{a=\"" + "x".repeat(PrometheusLimits.defaults().maxBytes() - 20) + "\"} 1\n";
        assertTimeoutPreemptively(QUICKLY, () -> assertRejected(hugeLine).hasMessageContaining("longer than 65536"));
    }

    @Test
    void maxSamplesIsExactAndEndlessSeriesFailFast() throws Exception {
        PrometheusTextParser small = new PrometheusTextParser(new PrometheusLimits(1024, 100, 3, 10, 10, 10));

        assertThat(small.parse("m 1\nm 2\n# between\nm 3\n").samples()).hasSize(3);
        assertRejectedBy(small, "m 1\nm 2\nm 3\nm 4\n").hasMessageStartingWith("line 4: more than 3 samples");
        assertThat(small.parse("# TYPE a gauge\n# TYPE b gauge\n# TYPE c gauge\n# TYPE d gauge\n")
                        .types())
                .hasSize(4);

        String series = "dask_scheduler_tasks{state=\"memory\"} 1\n".repeat(200_000);
        assertTimeoutPreemptively(
                QUICKLY, () -> assertRejected(series).hasMessageContaining("more than 50000 samples"));
    }

    @Test
    void maxLabelsPerSampleIsExact() throws Exception {
        PrometheusTextParser small = new PrometheusTextParser(new PrometheusLimits(1024, 100, 10, 2, 10, 10));

        assertThat(small.parse("m{a=\"1\",b=\"2\"} 1\n").samples()).hasSize(1);
        assertRejectedBy(small, "m{a=\"1\",b=\"2\",c=\"3\"} 1\n").hasMessageContaining("more than 2 labels");
        assertRejectedBy(small, "m{a=\"1\",b=\"2\",a=\"3\"} 1\n").hasMessageContaining("appears twice");
    }

    @Test
    void maxLabelValueLengthIsExactInUnescapedUtf8Bytes() throws Exception {
        PrometheusTextParser small = new PrometheusTextParser(new PrometheusLimits(1024, 100, 10, 10, 4, 10));

        assertThat(small.parse("m{a=\"abcd\"} 1\n").samples()).hasSize(1);
        // Four escapes are eight bytes on the wire but four once resolved.
        assertThat(small.parse("m{a=\"\\n\\n\\\\\\\"\"} 1\n").samples().get(0).labels())
                .containsEntry("a", "\n\n\\\"");
        assertThat(small.parse("m{a=\"éé\"} 1\n").samples()).hasSize(1);
        assertRejectedBy(small, "m{a=\"abcde\"} 1\n").hasMessageContaining("longer than 4 bytes");
        assertRejectedBy(small, "m{a=\"ééx\"} 1\n").hasMessageContaining("longer than 4 bytes");
    }

    @Test
    void labelValuesLongerThanTheInitialBufferAreKeptWhole() throws Exception {
        String value = "v".repeat(PrometheusLimits.defaults().maxLabelValueLength());

        assertThat(only("m{a=\"" + value + "\"} 1\n").labels()).containsEntry("a", value);
        assertRejected("m{a=\"" + value + "v\"} 1\n").hasMessageContaining("longer than 8192 bytes");
    }

    @Test
    void maxNameLengthIsExactForMetricAndLabelNames() throws Exception {
        PrometheusTextParser small = new PrometheusTextParser(new PrometheusLimits(1024, 100, 10, 10, 10, 3));

        assertThat(small.parse("abc{def=\"1\"} 1\n# TYPE abc gauge\n").samples())
                .hasSize(1);
        assertRejectedBy(small, "abcd 1\n").hasMessageContaining("metric name is longer than 3 bytes");
        assertRejectedBy(small, "abc{defg=\"1\"} 1\n").hasMessageContaining("label name is longer than 3 bytes");
        assertRejectedBy(small, "# TYPE abcd gauge\n").hasMessageContaining("metric name is longer than 3 bytes");
    }

    private PrometheusSample only(String payload) throws PrometheusFormatException {
        PrometheusScrape scrape = parser.parse(payload);
        assertThat(scrape.samples()).hasSize(1);
        return scrape.samples().get(0);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String payload) {
        return assertRejectedBy(parser, payload);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejectedBy(
            PrometheusTextParser parser, String payload) {
        return assertThatThrownBy(() -> parser.parse(payload)).isInstanceOf(PrometheusFormatException.class);
    }

    private PrometheusFormatException catchFormatException(String payload) {
        try {
            parser.parse(payload);
        } catch (PrometheusFormatException e) {
            return e;
        }
        throw new AssertionError("expected the payload to be rejected");
    }

    /** Repeats a line forever, counting what was read, as a scheduler that never stops talking would. */
    private static final class CountingEndlessStream extends InputStream {
        private final byte[] line;
        private long bytesRead;

        CountingEndlessStream(String line) {
            this.line = line.getBytes(UTF_8);
        }

        @Override
        public int read() {
            return line[(int) (bytesRead++ % line.length)] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            for (int index = 0; index < length; index++) {
                buffer[offset + index] = line[(int) (bytesRead++ % line.length)];
            }
            return length;
        }

        long bytesRead() {
            return bytesRead;
        }
    }
}
