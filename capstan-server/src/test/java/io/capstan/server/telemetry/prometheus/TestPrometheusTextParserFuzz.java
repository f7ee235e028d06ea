package io.capstan.server.telemetry.prometheus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Jazzer fuzz tests. Under a plain {@code mvn test} they run in regression mode, once on an empty input and once on
 * each seed in {@code TestPrometheusTextParserFuzzInputs/<method name>/} under the test resources. With
 * {@code JAZZER_FUZZ=1} set, Jazzer instead mutates those seeds for as long as it is allowed and adds what it finds
 * to the seeds.
 */
class TestPrometheusTextParserFuzz {
    /** Small enough that a fuzzer's short inputs reach every limit, so each one is exercised. */
    private static final PrometheusLimits TIGHT = new PrometheusLimits(512, 96, 8, 3, 16, 12);
    /** Large enough that the seeds, including a whole recorded Dask payload, parse completely. */
    private static final PrometheusLimits ROOMY = new PrometheusLimits(64 * 1024, 4096, 1_000, 16, 1_024, 256);

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final List<String> KINDS = List.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final String NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    private static final String NAME_REST = NAME_START + "0123456789";
    private static final double[] SPECIAL_VALUES = {
        Double.NaN,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        -0.0,
        0.0,
        Double.MIN_VALUE,
        Double.MAX_VALUE,
        -Double.MAX_VALUE,
        Double.MIN_NORMAL
    };

    private final PrometheusTextParser reparser = new PrometheusTextParser(PrometheusLimits.defaults());

    /**
     * Whatever the bytes, parsing either succeeds within every limit or fails with a {@link PrometheusFormatException}
     * whose message stays short; any other exception or error fails the test. A successful parse also survives a
     * round trip through the formatter, and reading the bytes from a stream or as a string gives the same outcome.
     */
    @FuzzTest
    void parsingFailsOnlyWithAFormatException(byte[] payload) throws IOException {
        for (PrometheusLimits limits : List.of(TIGHT, ROOMY)) {
            PrometheusTextParser parser = new PrometheusTextParser(limits);
            Outcome fromStream = Outcome.of(() -> parser.parse(new ByteArrayInputStream(payload)));
            String decoded = new String(payload, UTF_8);
            if (Arrays.equals(decoded.getBytes(UTF_8), payload)) {
                assertThat(Outcome.of(() -> parser.parse(decoded))).isEqualTo(fromStream);
            }
            if (fromStream.failure().isPresent()) {
                assertThat(fromStream.failure().get()).hasSizeLessThan(300 + limits.maxNameLength());
                continue;
            }
            PrometheusScrape scrape = fromStream.scrape().orElseThrow();
            assertWithinLimits(scrape, limits);
            assertThat(Outcome.of(() -> reparser.parse(PrometheusTextFormatter.format(scrape))))
                    .isEqualTo(new Outcome(Optional.of(scrape), Optional.empty()));
        }
    }

    /** Samples made up from the fuzzer's data, written out and read back, are the samples made up. */
    @FuzzTest
    void formattedSamplesParseBackUnchanged(FuzzedDataProvider data) throws IOException, PrometheusFormatException {
        PrometheusScrape generated = generate(data);
        String text = PrometheusTextFormatter.format(generated);

        assertThat(reparser.parse(text)).isEqualTo(generated);
        assertThat(reparser.parse(new ByteArrayInputStream(text.getBytes(UTF_8))))
                .isEqualTo(generated);
    }

    private static PrometheusScrape generate(FuzzedDataProvider data) {
        List<PrometheusSample> samples = new ArrayList<>();
        Map<String, String> types = new TreeMap<>();
        int sampleCount = data.consumeInt(0, 8);
        for (int index = 0; index < sampleCount; index++) {
            String name = name(data, true);
            Map<String, String> labels = new TreeMap<>();
            int labelCount = data.consumeInt(0, 4);
            for (int label = 0; label < labelCount; label++) {
                labels.put(name(data, false), validUnicode(data.consumeString(24)));
            }
            double value = data.consumeBoolean()
                    ? data.consumeDouble()
                    : SPECIAL_VALUES[data.consumeInt(0, SPECIAL_VALUES.length - 1)];
            Optional<Long> timestamp = data.consumeBoolean() ? Optional.of(data.consumeLong()) : Optional.empty();
            samples.add(new PrometheusSample(name, labels, value, timestamp));
            if (data.consumeBoolean()) {
                types.putIfAbsent(name, data.pickValue(KINDS));
            }
        }
        return new PrometheusScrape(samples, types);
    }

    private static String name(FuzzedDataProvider data, boolean metric) {
        int length = data.consumeInt(1, 24);
        StringBuilder name = new StringBuilder(length);
        String start = metric ? NAME_START + ":" : NAME_START;
        String rest = metric ? NAME_REST + ":" : NAME_REST;
        name.append(start.charAt(data.consumeInt(0, start.length() - 1)));
        for (int index = 1; index < length; index++) {
            name.append(rest.charAt(data.consumeInt(0, rest.length() - 1)));
        }
        return name.toString();
    }

    /** The string with any unpaired surrogate replaced, since UTF-8 cannot carry one. */
    private static String validUnicode(String value) {
        return new String(value.getBytes(UTF_8), UTF_8);
    }

    private static void assertWithinLimits(PrometheusScrape scrape, PrometheusLimits limits) {
        assertThat(scrape.samples()).hasSizeLessThanOrEqualTo(limits.maxSamples());
        for (PrometheusSample sample : scrape.samples()) {
            assertThat(sample.name()).matches(METRIC_NAME).hasSizeLessThanOrEqualTo(limits.maxNameLength());
            assertThat(sample.labels()).hasSizeLessThanOrEqualTo(limits.maxLabelsPerSample());
            sample.labels().forEach((name, value) -> {
                assertThat(name).matches(LABEL_NAME).hasSizeLessThanOrEqualTo(limits.maxNameLength());
                assertThat(value.getBytes(UTF_8).length).isLessThanOrEqualTo(limits.maxLabelValueLength());
            });
        }
        scrape.types().forEach((name, kind) -> {
            assertThat(name).matches(METRIC_NAME).hasSizeLessThanOrEqualTo(limits.maxNameLength());
            assertThat(kind).isIn(KINDS);
        });
    }

    /** How one parse ended: a scrape or the message of a format exception. Anything else is thrown on. */
    private record Outcome(Optional<PrometheusScrape> scrape, Optional<String> failure) {
        static Outcome of(Parse parse) throws IOException {
            try {
                return new Outcome(Optional.of(parse.run()), Optional.empty());
            } catch (PrometheusFormatException e) {
                return new Outcome(Optional.empty(), Optional.of(e.getMessage()));
            }
        }
    }

    @FunctionalInterface
    private interface Parse {
        PrometheusScrape run() throws IOException, PrometheusFormatException;
    }
}
