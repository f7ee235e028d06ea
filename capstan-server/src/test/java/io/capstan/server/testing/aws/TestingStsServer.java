package io.capstan.server.testing.aws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback wire stub of AWS STS, for tests; not STS. A real HTTP server on 127.0.0.1 speaks the STS Query API
 * (form-encoded {@code POST}, XML answers in STS's own shapes), so the real SDK client runs unchanged against it.
 *
 * <p>It answers {@code GetSessionToken} (optional {@code DurationSeconds}, 900 to 129600, default 43200) and {@code
 * AssumeRole} ({@code RoleArn}, {@code RoleSessionName}, optional {@code Policy} and {@code DurationSeconds}, 900 to
 * 43200, default 3600). The credentials it issues are random, their access key ids start with {@code ASIA} like all
 * temporary credentials, and they expire {@code DurationSeconds} after the injected {@link Clock}'s now. Like STS,
 * it refuses {@code GetSessionToken} to a caller that signs with temporary ({@code ASIA}) credentials.
 *
 * <p>It does <em>not verify signatures</em>: a request only needs an {@code Authorization} header starting with
 * {@code AWS4-HMAC-SHA256}, from which the access key id is recorded. There are no IAM policies: any caller may
 * assume any well-formed role ARN, and a session policy is recorded, not evaluated.
 *
 * <p>Controls for tests: {@link #failNextCalls}, {@link #delayAnswers}; for assertions, {@link #requests()} and
 * {@link #issuedCredentials()}. Thread-safe.
 */
public final class TestingStsServer implements AutoCloseable {
    public static final String ACCOUNT_ID = "111122223333";

    private static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
    private static final Pattern ROLE_ARN =
            Pattern.compile("arn:aws:iam::\\d{12}:role/(?:[\\w+=,.@-]+/)*([\\w+=,.@-]{1,64})");
    private static final Pattern ROLE_SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
    private static final int MAXIMUM_POLICY_LENGTH = 2048;
    private static final String KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An error answer in STS's shape: an HTTP status and {@code <ErrorResponse><Error><Code>}. */
    public record Failure(int statusCode, String errorCode) {
        public static final Failure ACCESS_DENIED = new Failure(403, "AccessDenied");
        public static final Failure THROTTLING = new Failure(400, "Throttling");

        public Failure {
            requireNonNull(errorCode, "errorCode is null");
        }
    }

    /** A signed request as it arrived, failed ones included. */
    public record ReceivedRequest(
            String action,
            Optional<String> roleArn,
            Optional<String> roleSessionName,
            Optional<String> policy,
            Optional<Integer> durationSeconds,
            String accessKeyId) {
        public ReceivedRequest {
            requireNonNull(action, "action is null");
            requireNonNull(roleArn, "roleArn is null");
            requireNonNull(roleSessionName, "roleSessionName is null");
            requireNonNull(policy, "policy is null");
            requireNonNull(durationSeconds, "durationSeconds is null");
            requireNonNull(accessKeyId, "accessKeyId is null");
        }
    }

    /** Credentials the stub handed out. {@code toString()} leaves out the secret parts, as anything else should. */
    public record IssuedCredentials(
            String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
        @Override
        public String toString() {
            return "IssuedCredentials[accessKeyId=" + accessKeyId + ", expiration=" + expiration + "]";
        }
    }

    /** How a request handler says "answer with this STS error". */
    private static final class ErrorAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        private final Failure failure;

        ErrorAnswer(Failure failure, String message) {
            super(message, null, false, false);
            this.failure = failure;
        }
    }

    private final Clock clock;
    private final InjectedFaults<Failure> faults = new InjectedFaults<>();
    private final List<ReceivedRequest> requests = new ArrayList<>();
    private final List<IssuedCredentials> issuedCredentials = new ArrayList<>();
    private final LoopbackHttpServer server;

    private TestingStsServer(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
        this.server = LoopbackHttpServer.start("testing-sts", this::handle);
    }

    /** A server whose credentials expire relative to {@code clock}. */
    public static TestingStsServer start(Clock clock) {
        return new TestingStsServer(clock);
    }

    /** The URL to give the SDK as {@code endpointOverride}. */
    public URI endpoint() {
        return server.endpoint();
    }

    /** The next {@code calls} requests, of any action, are answered with {@code failure} and nothing else. */
    public void failNextCalls(int calls, Failure failure) {
        faults.failNextCalls(calls, failure);
    }

    /** Every later answer waits this long first ({@link Duration#ZERO} to stop); closing the server ends a wait. */
    public void delayAnswers(Duration delay) {
        faults.delayAnswers(delay);
    }

    public synchronized List<ReceivedRequest> requests() {
        return List.copyOf(requests);
    }

    public synchronized List<IssuedCredentials> issuedCredentials() {
        return List.copyOf(issuedCredentials);
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] request = exchange.getRequestBody().readAllBytes();
            Optional<String> answer;
            int status = 200;
            try {
                answer = respond(exchange, request);
            } catch (ErrorAnswer error) {
                status = error.failure.statusCode();
                answer = Optional.of(errorDocument(error));
            }
            if (answer.isPresent()) {
                LoopbackHttpServer.answer(
                        exchange, status, "text/xml", answer.get().getBytes(UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    /** The XML answer to one request, or empty when the server closed during an injected delay. */
    private Optional<String> respond(HttpExchange exchange, byte[] body) throws ErrorAnswer, InterruptedException {
        if (!SignedRequests.isSigned(exchange.getRequestHeaders())) {
            throw new ErrorAnswer(
                    new Failure(403, "MissingAuthenticationToken"), "Request is missing Authentication Token");
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            throw new ErrorAnswer(new Failure(400, "InvalidAction"), "Only POST is supported by this stub");
        }
        Map<String, String> form = parseForm(new String(body, UTF_8));
        String accessKeyId =
                SignedRequests.accessKeyId(exchange.getRequestHeaders()).orElse("");
        String action = form.getOrDefault("Action", "");
        synchronized (this) {
            requests.add(new ReceivedRequest(
                    action,
                    Optional.ofNullable(form.get("RoleArn")),
                    Optional.ofNullable(form.get("RoleSessionName")),
                    Optional.ofNullable(form.get("Policy")),
                    Optional.ofNullable(form.get("DurationSeconds"))
                            .filter(value -> value.matches("[0-9]{1,9}"))
                            .map(Integer::valueOf),
                    accessKeyId));
        }
        if (server.pause(faults.delay())) {
            return Optional.empty();
        }
        Optional<Failure> failure = faults.takeFailure();
        if (failure.isPresent()) {
            throw new ErrorAnswer(failure.get(), "Injected by TestingStsServer");
        }
        Optional<Integer> durationSeconds = durationSeconds(form);
        return Optional.of(
                switch (action) {
                    case "GetSessionToken" -> getSessionToken(accessKeyId, durationSeconds);
                    case "AssumeRole" -> assumeRole(form, durationSeconds);
                    default ->
                        throw new ErrorAnswer(new Failure(400, "InvalidAction"), "Could not find operation " + action);
                });
    }

    private String getSessionToken(String callerAccessKeyId, Optional<Integer> durationSeconds) throws ErrorAnswer {
        if (callerAccessKeyId.startsWith("ASIA")) {
            throw new ErrorAnswer(Failure.ACCESS_DENIED, "Cannot call GetSessionToken with session credentials");
        }
        int duration = checkDuration(durationSeconds.orElse(43_200), 129_600);
        return document("GetSessionToken", "<Credentials>" + credentialsElements(issue(duration)) + "</Credentials>");
    }

    private String assumeRole(Map<String, String> form, Optional<Integer> durationSeconds) throws ErrorAnswer {
        String roleArn = required(form, "RoleArn");
        Matcher roleArnMatch = ROLE_ARN.matcher(roleArn);
        if (!roleArnMatch.matches()) {
            throw validationError("Value '" + roleArn + "' at 'roleArn' is not a role ARN");
        }
        String roleSessionName = required(form, "RoleSessionName");
        if (!ROLE_SESSION_NAME.matcher(roleSessionName).matches()) {
            throw validationError("Value '" + roleSessionName + "' at 'roleSessionName' failed to satisfy constraint");
        }
        Optional<String> policy = Optional.ofNullable(form.get("Policy"));
        if (policy.isPresent() && policy.get().length() > MAXIMUM_POLICY_LENGTH) {
            throw new ErrorAnswer(
                    new Failure(400, "PackedPolicyTooLarge"), "Packed policy consumes more than the whole limit");
        }
        int duration = checkDuration(durationSeconds.orElse(3_600), 43_200);
        String roleName = roleArnMatch.group(1);
        String accountId = roleArn.split(":", 6)[4];
        String assumedRoleUser = "<AssumedRoleUser><Arn>"
                + escape("arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + roleSessionName)
                + "</Arn><AssumedRoleId>"
                + escape("AROA" + random(KEY_ID_ALPHABET, 17) + ":" + roleSessionName)
                + "</AssumedRoleId></AssumedRoleUser>";
        String packedPolicySize = policy.map(text ->
                        "<PackedPolicySize>" + (text.length() * 100 / MAXIMUM_POLICY_LENGTH) + "</PackedPolicySize>")
                .orElse("");
        return document(
                "AssumeRole",
                "<Credentials>" + credentialsElements(issue(duration)) + "</Credentials>" + assumedRoleUser
                        + packedPolicySize);
    }

    private synchronized IssuedCredentials issue(int durationSeconds) {
        IssuedCredentials credentials = new IssuedCredentials(
                "ASIA" + random(KEY_ID_ALPHABET, 16),
                random(SECRET_ALPHABET, 40),
                random(SECRET_ALPHABET, 356),
                clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(durationSeconds));
        issuedCredentials.add(credentials);
        return credentials;
    }

    private static String credentialsElements(IssuedCredentials credentials) {
        return "<AccessKeyId>" + credentials.accessKeyId() + "</AccessKeyId>"
                + "<SecretAccessKey>" + escape(credentials.secretAccessKey()) + "</SecretAccessKey>"
                + "<SessionToken>" + escape(credentials.sessionToken()) + "</SessionToken>"
                + "<Expiration>" + credentials.expiration() + "</Expiration>";
    }

    private static String document(String action, String resultElements) {
        return "<" + action + "Response xmlns=\"" + NAMESPACE + "\">\n"
                + "  <" + action + "Result>" + resultElements + "</" + action + "Result>\n"
                + "  <ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata>\n"
                + "</" + action + "Response>\n";
    }

    private static String errorDocument(ErrorAnswer error) {
        String type = error.failure.statusCode() >= 500 ? "Receiver" : "Sender";
        return "<ErrorResponse xmlns=\"" + NAMESPACE + "\">\n"
                + "  <Error><Type>" + type + "</Type><Code>" + escape(error.failure.errorCode()) + "</Code>"
                + "<Message>" + escape(error.getMessage()) + "</Message></Error>\n"
                + "  <RequestId>" + UUID.randomUUID() + "</RequestId>\n"
                + "</ErrorResponse>\n";
    }

    private static Optional<Integer> durationSeconds(Map<String, String> form) throws ErrorAnswer {
        String value = form.get("DurationSeconds");
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(value));
        } catch (NumberFormatException e) {
            throw validationError("Value '" + value + "' at 'durationSeconds' is not an integer");
        }
    }

    private static int checkDuration(int durationSeconds, int maximum) throws ErrorAnswer {
        if (durationSeconds < 900 || durationSeconds > maximum) {
            throw validationError("1 validation error detected: Value '" + durationSeconds
                    + "' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and "
                    + maximum);
        }
        return durationSeconds;
    }

    private static String required(Map<String, String> form, String name) throws ErrorAnswer {
        String value = form.get(name);
        if (value == null || value.isEmpty()) {
            throw validationError("1 validation error detected: Value null at '" + name
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    private static ErrorAnswer validationError(String message) {
        return new ErrorAnswer(new Failure(400, "ValidationError"), message);
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] nameAndValue = pair.split("=", 2);
            form.putIfAbsent(
                    URLDecoder.decode(nameAndValue[0], UTF_8),
                    nameAndValue.length == 2 ? URLDecoder.decode(nameAndValue[1], UTF_8) : "");
        }
        return form;
    }

    private static String random(String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&apos;");
    }
}
