package io.capstan.server.telemetry.prometheus;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * Parses the Prometheus text exposition format, version 0.0.4, as a Dask scheduler serves it on {@code /metrics}.
 * The payload is treated as hostile: everything it controls is bounded by {@link PrometheusLimits}, the work is
 * linear in its size, and the only failure is a {@link PrometheusFormatException} (or an {@link IOException} from the
 * stream itself). Immutable and thread-safe; each call keeps its state on its own.
 *
 * <p>The grammar, one construct per line, lines ending in a line feed:
 *
 * <pre>{@code
 * line       = blank* ( sample | comment )? blank*
 * comment    = "#" blank* ( "HELP" blank+ name ( blank docstring )? | "TYPE" blank+ name blank+ kind | other text )
 * sample     = name blank* ( "{" labels "}" blank* | blank ) value ( blank+ timestamp )?
 * labels     = blank* ( label blank* "," blank* )* ( label blank* )?   -- a trailing comma is allowed
 * label      = label-name blank* "=" blank* '"' escaped-value '"'
 * name       = [a-zA-Z_:][a-zA-Z0-9_:]*        label-name = [a-zA-Z_][a-zA-Z0-9_]*
 * value      = [+-]? ( digits ( "." digits? )? | "." digits ) ( [eE] [+-]? digits )? | "+Inf" | "-Inf" | "Inf" | "NaN"
 * timestamp  = [+-]? digits                    -- a 64-bit count of milliseconds
 * blank      = " " | "\t"
 * }</pre>
 *
 * <p>Choices where the format leaves room, made strict because a payload that bends the format is more likely
 * broken or hostile than creative:
 *
 * <ul>
 *   <li>Label values and HELP docstrings allow only the escapes {@code \\}, {@code \"} (label values only) and
 *       {@code \n}; label values must be valid UTF-8. Other comments are not inspected.
 *   <li>A {@code # TYPE} kind must be one of {@code counter}, {@code gauge}, {@code histogram}, {@code summary},
 *       {@code untyped}; anything else, such as the OpenMetrics kinds {@code info} or {@code stateset}, is an error,
 *       so that a change of format shows up as a failed scrape rather than as silently misread numbers. A second
 *       TYPE line for the same name is an error, as the format says; a TYPE line after the family's first sample is
 *       accepted, and HELP lines are checked but not kept.
 *   <li>A non-empty payload must end with a line feed, as the format says: a body cut off in the middle of its last
 *       line would otherwise parse as a different, shorter number.
 *   <li>Carriage returns are not blanks. Hexadecimal floats, which Go's parser would accept, are rejected; no
 *       exporter writes them. A value too large for a double becomes an infinity.
 *   <li>Samples repeating a name and label set are kept as they are: deciding which one counts is the caller's
 *       business.
 * </ul>
 */
public final class PrometheusTextParser {
    private static final Set<String> KINDS = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** How many bytes of the payload an error message may quote. */
    private static final int EXCERPT_LENGTH = 32;

    private final PrometheusLimits limits;

    public PrometheusTextParser(PrometheusLimits limits) {
        this.limits = requireNonNull(limits, "limits is null");
    }

    public PrometheusLimits limits() {
        return limits;
    }

    /**
     * Reads and parses a payload. Reads at most {@code maxBytes + 1} bytes, so an endless or oversized stream is
     * rejected without reading it all; it does not close the stream. A slow stream is bounded by its own read
     * timeout, not here.
     *
     * @throws IOException when reading the stream fails
     */
    public PrometheusScrape parse(InputStream in) throws IOException, PrometheusFormatException {
        requireNonNull(in, "in is null");
        byte[] payload = in.readNBytes(limits.maxBytes() + 1);
        if (payload.length > limits.maxBytes()) {
            throw tooLarge();
        }
        return new Parse(payload, limits).run();
    }

    /** Parses a payload already in memory, with the same limits, its size counted in UTF-8 bytes. */
    public PrometheusScrape parse(String payload) throws PrometheusFormatException {
        requireNonNull(payload, "payload is null");
        // Measured before encoding, so that an oversized string costs no copy; unpaired surrogates are rejected
        // because String.getBytes would silently turn them into '?'.
        long utf8Length = 0;
        for (int index = 0; index < payload.length(); index++) {
            char character = payload.charAt(index);
            if (character < 0x80) {
                utf8Length += 1;
            } else if (character < 0x800) {
                utf8Length += 2;
            } else if (Character.isHighSurrogate(character)
                    && index + 1 < payload.length()
                    && Character.isLowSurrogate(payload.charAt(index + 1))) {
                utf8Length += 4;
                index++;
            } else if (Character.isSurrogate(character)) {
                throw new PrometheusFormatException("payload contains an unpaired surrogate", OptionalInt.empty());
            } else {
                utf8Length += 3;
            }
            if (utf8Length > limits.maxBytes()) {
                throw tooLarge();
            }
        }
        return new Parse(payload.getBytes(UTF_8), limits).run();
    }

    private PrometheusFormatException tooLarge() {
        return new PrometheusFormatException(
                "payload is larger than " + limits.maxBytes() + " bytes", OptionalInt.empty());
    }

    /** The state of one call to {@code parse}: a cursor over the payload, line by line. */
    private static final class Parse {
        private final byte[] payload;
        private final PrometheusLimits limits;
        private final CharsetDecoder decoder = UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private final List<PrometheusSample> samples = new ArrayList<>();
        private final Map<String, String> types = new HashMap<>();
        /** Holds a label value while its escapes are resolved; grows on demand up to the label value limit. */
        private byte[] unescaped = new byte[64];

        private int lineNumber;
        private int lineStart;
        private int lineEnd;
        private int position;

        Parse(byte[] payload, PrometheusLimits limits) {
            this.payload = payload;
            this.limits = limits;
        }

        PrometheusScrape run() throws PrometheusFormatException {
            if (payload.length > 0 && payload[payload.length - 1] != '\n') {
                throw new PrometheusFormatException(
                        "payload does not end with a line feed; it may have been cut off", OptionalInt.empty());
            }
            int next = 0;
            while (next < payload.length) {
                lineNumber++;
                lineStart = next;
                lineEnd = findLineEnd(next);
                position = lineStart;
                parseLine();
                next = lineEnd + 1;
            }
            return new PrometheusScrape(samples, types);
        }

        /** The index of the line feed ending the line that starts at {@code start}, looking no further than allowed. */
        private int findLineEnd(int start) throws PrometheusFormatException {
            long furthest = Math.min((long) start + limits.maxLineLength(), payload.length - 1L);
            for (int index = start; index <= furthest; index++) {
                if (payload[index] == '\n') {
                    return index;
                }
            }
            position = start;
            lineEnd = (int) furthest;
            throw error("line is longer than " + limits.maxLineLength() + " bytes");
        }

        private void parseLine() throws PrometheusFormatException {
            skipBlanks();
            if (atLineEnd()) {
                return;
            }
            if (payload[position] == '#') {
                position++;
                parseComment();
            } else {
                parseSample();
            }
        }

        private void parseComment() throws PrometheusFormatException {
            skipBlanks();
            int wordStart = position;
            while (!atLineEnd() && !isBlank(payload[position])) {
                position++;
            }
            String word = ascii(wordStart, position);
            if (!word.equals("HELP") && !word.equals("TYPE")) {
                return;
            }
            if (skipBlanks() == 0) {
                throw error(word + " line without a metric name");
            }
            String name = readMetricName();
            if (word.equals("HELP")) {
                if (!atLineEnd() && skipBlanks() == 0) {
                    throw error("HELP line without a blank after the metric name");
                }
                checkDocstring();
                return;
            }
            if (skipBlanks() == 0) {
                throw error("TYPE line without a kind after the metric name");
            }
            int kindStart = position;
            while (!atLineEnd() && !isBlank(payload[position])) {
                position++;
            }
            String kind = ascii(kindStart, position);
            skipBlanks();
            if (!KINDS.contains(kind) || !atLineEnd()) {
                position = kindStart;
                throw error("TYPE must be one of counter, gauge, histogram, summary or untyped");
            }
            if (types.putIfAbsent(name, kind) != null) {
                throw error("second TYPE line for " + name);
            }
        }

        private void checkDocstring() throws PrometheusFormatException {
            while (!atLineEnd()) {
                if (payload[position] == '\\') {
                    if (position + 1 >= lineEnd || (payload[position + 1] != '\\' && payload[position + 1] != 'n')) {
                        throw error("invalid escape in HELP text; only \\\\ and \\n are allowed");
                    }
                    position++;
                }
                position++;
            }
        }

        private void parseSample() throws PrometheusFormatException {
            String name = readMetricName();
            int blanks = skipBlanks();
            Map<String, String> labels = new TreeMap<>();
            if (!atLineEnd() && payload[position] == '{') {
                position++;
                readLabels(labels);
                skipBlanks();
            } else if (blanks == 0 && !atLineEnd()) {
                throw error("expected a blank or '{' after the metric name");
            }
            int valueStart = position;
            double value = readValue();
            Optional<Long> timestamp = Optional.empty();
            if (skipBlanks() > 0 && !atLineEnd()) {
                timestamp = Optional.of(readTimestamp());
                skipBlanks();
            }
            if (!atLineEnd()) {
                throw error("unexpected text after the sample's value");
            }
            if (samples.size() >= limits.maxSamples()) {
                position = valueStart;
                throw error("more than " + limits.maxSamples() + " samples");
            }
            samples.add(new PrometheusSample(name, labels, value, timestamp));
        }

        private void readLabels(Map<String, String> labels) throws PrometheusFormatException {
            while (true) {
                skipBlanks();
                if (atLineEnd()) {
                    throw error("label set is not closed");
                }
                if (payload[position] == '}') {
                    position++;
                    return;
                }
                int labelStart = position;
                String labelName = readLabelName();
                skipBlanks();
                expect('=', "expected '=' after a label name");
                skipBlanks();
                expect('"', "expected '\"' to open a label value");
                String labelValue = readLabelValue();
                if (labels.containsKey(labelName)) {
                    position = labelStart;
                    throw error("label " + labelName + " appears twice");
                }
                if (labels.size() >= limits.maxLabelsPerSample()) {
                    position = labelStart;
                    throw error("more than " + limits.maxLabelsPerSample() + " labels");
                }
                labels.put(labelName, labelValue);
                skipBlanks();
                if (atLineEnd()) {
                    throw error("label set is not closed");
                }
                if (payload[position] == ',') {
                    position++;
                } else if (payload[position] == '}') {
                    position++;
                    return;
                } else {
                    throw error("expected ',' or '}' after a label value");
                }
            }
        }

        /** Reads up to the closing quote, which it consumes, resolving {@code \\}, {@code \"} and {@code \n}. */
        private String readLabelValue() throws PrometheusFormatException {
            int valueStart = position;
            int length = 0;
            while (true) {
                if (atLineEnd()) {
                    position = valueStart;
                    throw error("label value is not closed");
                }
                byte current = payload[position];
                if (current == '"') {
                    position++;
                    break;
                }
                if (current == '\\') {
                    byte escaped = position + 1 < lineEnd ? payload[position + 1] : 0;
                    current = switch (escaped) {
                        case '\\' -> (byte) '\\';
                        case '"' -> (byte) '"';
                        case 'n' -> (byte) '\n';
                        default -> throw error("invalid escape in label value; only \\\\, \\\" and \\n are allowed");
                    };
                    position++;
                }
                if (length >= limits.maxLabelValueLength()) {
                    position = valueStart;
                    throw error("label value is longer than " + limits.maxLabelValueLength() + " bytes");
                }
                if (length == unescaped.length) {
                    unescaped = Arrays.copyOf(
                            unescaped, (int) Math.min(2L * unescaped.length, limits.maxLabelValueLength()));
                }
                unescaped[length++] = current;
                position++;
            }
            try {
                return decoder.decode(ByteBuffer.wrap(unescaped, 0, length)).toString();
            } catch (CharacterCodingException e) {
                position = valueStart;
                throw error("label value is not valid UTF-8");
            }
        }

        private double readValue() throws PrometheusFormatException {
            int start = position;
            while (!atLineEnd() && !isBlank(payload[position])) {
                position++;
            }
            String token = ascii(start, position);
            return switch (token) {
                case "NaN" -> Double.NaN;
                case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> {
                    if (!isDecimalFloat(start, position)) {
                        position = start;
                        throw error(token.isEmpty() ? "sample has no value" : "sample value is not a number");
                    }
                    // Only a plain decimal float gets here, which Java parses as Go's ParseFloat would; Java's own
                    // extras ("Infinity", "1d", "0x1p3", surrounding spaces) were rejected above.
                    yield Double.parseDouble(token);
                }
            };
        }

        private boolean isDecimalFloat(int start, int end) {
            int index = start;
            if (index < end && (payload[index] == '+' || payload[index] == '-')) {
                index++;
            }
            int integerDigits = countDigits(index, end);
            index += integerDigits;
            int fractionDigits = 0;
            if (index < end && payload[index] == '.') {
                index++;
                fractionDigits = countDigits(index, end);
                index += fractionDigits;
            }
            if (integerDigits == 0 && fractionDigits == 0) {
                return false;
            }
            if (index < end && (payload[index] == 'e' || payload[index] == 'E')) {
                index++;
                if (index < end && (payload[index] == '+' || payload[index] == '-')) {
                    index++;
                }
                int exponentDigits = countDigits(index, end);
                if (exponentDigits == 0) {
                    return false;
                }
                index += exponentDigits;
            }
            return index == end;
        }

        private long readTimestamp() throws PrometheusFormatException {
            int start = position;
            while (!atLineEnd() && !isBlank(payload[position])) {
                position++;
            }
            int digitsStart = start < position && (payload[start] == '+' || payload[start] == '-') ? start + 1 : start;
            if (digitsStart == position || countDigits(digitsStart, position) != position - digitsStart) {
                position = start;
                throw error("timestamp is not an integer");
            }
            try {
                return Long.parseLong(ascii(start, position));
            } catch (NumberFormatException e) {
                position = start;
                throw error("timestamp does not fit in 64 bits");
            }
        }

        private String readMetricName() throws PrometheusFormatException {
            int start = position;
            while (!atLineEnd() && isNameCharacter(payload[position], true)) {
                position++;
            }
            return checkName(start, "metric name");
        }

        private String readLabelName() throws PrometheusFormatException {
            int start = position;
            while (!atLineEnd() && isNameCharacter(payload[position], false)) {
                position++;
            }
            return checkName(start, "label name");
        }

        private String checkName(int start, String what) throws PrometheusFormatException {
            if (position == start || isDigit(payload[start])) {
                position = start;
                throw error("expected a " + what);
            }
            if (position - start > limits.maxNameLength()) {
                position = start;
                throw error(what + " is longer than " + limits.maxNameLength() + " bytes");
            }
            return ascii(start, position);
        }

        private void expect(char expected, String message) throws PrometheusFormatException {
            if (atLineEnd() || payload[position] != expected) {
                throw error(message);
            }
            position++;
        }

        /** Skips blanks and tabs; returns how many. */
        private int skipBlanks() {
            int start = position;
            while (!atLineEnd() && isBlank(payload[position])) {
                position++;
            }
            return position - start;
        }

        private int countDigits(int start, int end) {
            int index = start;
            while (index < end && isDigit(payload[index])) {
                index++;
            }
            return index - start;
        }

        private boolean atLineEnd() {
            return position >= lineEnd;
        }

        /** Only called on ranges already checked to be ASCII, or where any non-ASCII byte makes a mismatch anyway. */
        private String ascii(int start, int end) {
            return new String(payload, start, end - start, US_ASCII);
        }

        private PrometheusFormatException error(String message) {
            return new PrometheusFormatException(message + " near \"" + excerpt() + "\"", OptionalInt.of(lineNumber));
        }

        /** A few bytes of the current line from where the parse stopped, with anything not printable ASCII escaped. */
        private String excerpt() {
            int start = Math.max(lineStart, Math.min(position, lineEnd));
            int end = Math.min(lineEnd, start + EXCERPT_LENGTH);
            StringBuilder excerpt = new StringBuilder();
            for (int index = start; index < end; index++) {
                int current = payload[index] & 0xff;
                if (current >= 0x20 && current < 0x7f && current != '\\' && current != '"') {
                    excerpt.append((char) current);
                } else {
                    excerpt.append("\\x").append(HexFormat.of().toHexDigits((byte) current));
                }
            }
            if (end < lineEnd) {
                excerpt.append("...");
            }
            return excerpt.toString();
        }

        private static boolean isBlank(byte current) {
            return current == ' ' || current == '\t';
        }

        private static boolean isDigit(byte current) {
            return current >= '0' && current <= '9';
        }

        private static boolean isNameCharacter(byte current, boolean colonAllowed) {
            return (current >= 'a' && current <= 'z')
                    || (current >= 'A' && current <= 'Z')
                    || isDigit(current)
                    || current == '_'
                    || (colonAllowed && current == ':');
        }
    }
}
