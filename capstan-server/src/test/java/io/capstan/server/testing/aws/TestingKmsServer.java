package io.capstan.server.testing.aws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.sun.net.httpserver.HttpExchange;
import io.capstan.api.Json;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A loopback wire stub of AWS KMS, for tests; not KMS. A real HTTP server on 127.0.0.1 speaks the KMS JSON 1.1
 * protocol ({@code X-Amz-Target: TrentService.Encrypt}, {@code Decrypt} and {@code GenerateDataKey}), so the real SDK
 * client runs unchanged against it: marshalling, signing, error parsing, retries and timeouts included.
 *
 * <p>What it does like KMS: symmetric keys held in memory, addressed by key id, key ARN, alias name or alias ARN;
 * ciphertext blobs that name their key and are authenticated together with the encryption context, so a flipped bit
 * or a different context fails with {@code InvalidCiphertextException}; {@code IncorrectKeyException} when a
 * {@code Decrypt} names another key than the blob's; {@code DisabledException} for a disabled key; at most 4096
 * bytes of plaintext.
 *
 * <p>What it does not: it does <em>not verify signatures</em>; a request only needs an {@code Authorization} header
 * starting with {@code AWS4-HMAC-SHA256}. There are no key policies, grants or Regions; every key lives in
 * {@value #REGION}, account {@value #ACCOUNT_ID}. Its blob format is its own (version, key id, then Tink AES-GCM).
 *
 * <p>Controls for tests: {@link #failNextCalls}, {@link #delayAnswers}, {@link #disableKey}, {@link
 * #misreportDecryptKeyArn} and the call counters. Thread-safe.
 */
public final class TestingKmsServer implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT_ID = "111122223333";

    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final String TARGET_PREFIX = "TrentService.";
    private static final int MAXIMUM_PLAINTEXT_BYTES = 4096;
    private static final int MAXIMUM_DATA_KEY_BYTES = 1024;
    private static final byte BLOB_VERSION = 1;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An error answer in KMS's shape: an HTTP status and {@code {"__type": errorCode, "message": …}}. */
    public record Failure(int statusCode, String errorCode) {
        public static final Failure ACCESS_DENIED = new Failure(400, "AccessDeniedException");
        public static final Failure THROTTLING = new Failure(400, "ThrottlingException");
        public static final Failure INTERNAL = new Failure(500, "KMSInternalException");

        public Failure {
            requireNonNull(errorCode, "errorCode is null");
        }
    }

    private record Key(String id, String arn, Aead aead) {}

    /** How a request handler says "answer with this KMS error". */
    private static final class ErrorAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        private final Failure failure;

        ErrorAnswer(Failure failure, String message) {
            super(message, null, false, false);
            this.failure = failure;
        }
    }

    private final Map<String, Key> keysById = new ConcurrentHashMap<>();
    private final Map<String, String> keyIdsByAlias = new ConcurrentHashMap<>();
    private final Set<String> disabledKeyIds = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> callsByOperation = new ConcurrentHashMap<>();
    private final InjectedFaults<Failure> faults = new InjectedFaults<>();
    private volatile Optional<String> misreportedKeyArn = Optional.empty();
    private final LoopbackHttpServer server;

    private TestingKmsServer() {
        this.server = LoopbackHttpServer.start("testing-kms", this::handle);
    }

    public static TestingKmsServer start() {
        return new TestingKmsServer();
    }

    /** The URL to give the SDK as {@code endpointOverride}. */
    public URI endpoint() {
        return server.endpoint();
    }

    public static String keyArn(String keyId) {
        return "arn:aws:kms:" + REGION + ":" + ACCOUNT_ID + ":key/" + keyId;
    }

    /** Creates a key with a random id, as KMS does, and returns its ARN. */
    public String createKey() {
        return createKey(UUID.randomUUID().toString());
    }

    /** Creates a key with the given id and returns its ARN. */
    public String createKey(String keyId) {
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("not a key id: " + keyId);
        }
        Aead aead;
        try {
            aead = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, AeadConfig2026.get())
                    .getPrimitive(AeadConfig2026.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        Key key = new Key(keyId, keyArn(keyId), aead);
        if (keysById.putIfAbsent(keyId, key) != null) {
            throw new IllegalArgumentException("key exists: " + keyId);
        }
        return key.arn();
    }

    /** Points {@code alias/NAME} at a key (given by id or ARN), creating or moving the alias; returns the alias ARN. */
    public String createAlias(String aliasName, String key) {
        if (!aliasName.startsWith("alias/")) {
            throw new IllegalArgumentException("alias names start with alias/: " + aliasName);
        }
        keyIdsByAlias.put(aliasName, requireKey(key).id());
        return "arn:aws:kms:" + REGION + ":" + ACCOUNT_ID + ":" + aliasName;
    }

    /** From now on, every operation with this key (id or ARN) fails with {@code DisabledException}. */
    public void disableKey(String key) {
        disabledKeyIds.add(requireKey(key).id());
    }

    public void enableKey(String key) {
        disabledKeyIds.remove(requireKey(key).id());
    }

    /** The next {@code calls} requests, of any operation, are answered with {@code failure} and nothing else. */
    public void failNextCalls(int calls, Failure failure) {
        faults.failNextCalls(calls, failure);
    }

    /** Every later answer waits this long first ({@link Duration#ZERO} to stop); closing the server ends a wait. */
    public void delayAnswers(Duration delay) {
        faults.delayAnswers(delay);
    }

    /**
     * From now on, {@code Decrypt} answers name {@code keyArn} instead of the key that really decrypted, as an
     * impostor or misrouted endpoint might. Only for testing a client's own check of the answer.
     */
    public void misreportDecryptKeyArn(String keyArn) {
        misreportedKeyArn = Optional.of(keyArn);
    }

    /** How many signed requests arrived, failed ones included. */
    public int calls() {
        return callsByOperation.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** How many signed requests arrived for one operation ({@code Encrypt}, {@code Decrypt} …). */
    public int calls(String operation) {
        AtomicInteger calls = callsByOperation.get(operation);
        return calls == null ? 0 : calls.get();
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] request = exchange.getRequestBody().readAllBytes();
            Optional<Map<String, Object>> answer;
            int status = 200;
            try {
                answer = respond(exchange, request);
            } catch (ErrorAnswer error) {
                status = error.failure.statusCode();
                answer = Optional.of(Map.of("__type", error.failure.errorCode(), "message", error.getMessage()));
            }
            if (answer.isPresent()) {
                exchange.getResponseHeaders()
                        .set("x-amzn-RequestId", UUID.randomUUID().toString());
                LoopbackHttpServer.answer(
                        exchange, status, CONTENT_TYPE, Json.strict().writeValueAsBytes(answer.get()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    /** The answer to one request, or empty when the server closed during an injected delay. */
    private Optional<Map<String, Object>> respond(HttpExchange exchange, byte[] body)
            throws ErrorAnswer, InterruptedException {
        if (!SignedRequests.isSigned(exchange.getRequestHeaders())) {
            throw new ErrorAnswer(
                    new Failure(400, "MissingAuthenticationTokenException"), "Missing Authentication Token");
        }
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (!exchange.getRequestMethod().equals("POST") || target == null || !target.startsWith(TARGET_PREFIX)) {
            throw new ErrorAnswer(new Failure(400, "UnknownOperationException"), "Unknown operation " + target);
        }
        String operation = target.substring(TARGET_PREFIX.length());
        callsByOperation
                .computeIfAbsent(operation, ignored -> new AtomicInteger())
                .incrementAndGet();
        if (server.pause(faults.delay())) {
            return Optional.empty();
        }
        Optional<Failure> failure = faults.takeFailure();
        if (failure.isPresent()) {
            throw new ErrorAnswer(failure.get(), "Injected by TestingKmsServer");
        }
        JsonNode request;
        try {
            request = Json.strict().readTree(body);
        } catch (JacksonException e) {
            throw new ErrorAnswer(new Failure(400, "SerializationException"), "Request body is not JSON");
        }
        return Optional.of(
                switch (operation) {
                    case "Encrypt" -> encrypt(request);
                    case "Decrypt" -> decrypt(request);
                    case "GenerateDataKey" -> generateDataKey(request);
                    default ->
                        throw new ErrorAnswer(
                                new Failure(400, "UnknownOperationException"), "Unknown operation " + target);
                });
    }

    private Map<String, Object> encrypt(JsonNode request) throws ErrorAnswer {
        Key key = resolveKey(requiredString(request, "KeyId"));
        checkEnabled(key);
        byte[] plaintext = requiredBlob(request, "Plaintext");
        if (plaintext.length == 0 || plaintext.length > MAXIMUM_PLAINTEXT_BYTES) {
            throw validationError("Plaintext must be 1 to " + MAXIMUM_PLAINTEXT_BYTES + " bytes");
        }
        byte[] blob = seal(key, plaintext, encryptionContext(request));
        return Map.of(
                "CiphertextBlob", base64(blob),
                "KeyId", key.arn(),
                "EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    }

    private Map<String, Object> decrypt(JsonNode request) throws ErrorAnswer {
        byte[] blob = requiredBlob(request, "CiphertextBlob");
        Key key = keyOf(blob);
        Optional<String> requestedKey = optionalString(request, "KeyId");
        if (requestedKey.isPresent() && !resolveKey(requestedKey.get()).equals(key)) {
            throw new ErrorAnswer(
                    new Failure(400, "IncorrectKeyException"),
                    "The key ID in the request does not identify a KMS key that can perform this operation.");
        }
        checkEnabled(key);
        int headerLength = headerLength(blob);
        byte[] plaintext;
        try {
            plaintext = key.aead()
                    .decrypt(
                            Arrays.copyOfRange(blob, headerLength, blob.length),
                            associatedData(Arrays.copyOf(blob, headerLength), encryptionContext(request)));
        } catch (GeneralSecurityException e) {
            throw invalidCiphertext();
        }
        return Map.of(
                "KeyId", misreportedKeyArn.orElse(key.arn()),
                "Plaintext", base64(plaintext),
                "EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    }

    private Map<String, Object> generateDataKey(JsonNode request) throws ErrorAnswer {
        Key key = resolveKey(requiredString(request, "KeyId"));
        checkEnabled(key);
        Optional<String> keySpec = optionalString(request, "KeySpec");
        JsonNode numberOfBytes = request.path("NumberOfBytes");
        int length;
        if (keySpec.isPresent() == numberOfBytes.isInt()) {
            throw validationError("Specify either KeySpec or NumberOfBytes");
        } else if (keySpec.isPresent()) {
            length = switch (keySpec.get()) {
                case "AES_128" -> 16;
                case "AES_256" -> 32;
                default -> throw validationError("Unknown KeySpec " + keySpec.get());
            };
        } else {
            length = numberOfBytes.intValue();
            if (length < 1 || length > MAXIMUM_DATA_KEY_BYTES) {
                throw validationError("NumberOfBytes must be 1 to " + MAXIMUM_DATA_KEY_BYTES);
            }
        }
        byte[] dataKey = new byte[length];
        RANDOM.nextBytes(dataKey);
        return Map.of(
                "CiphertextBlob", base64(seal(key, dataKey, encryptionContext(request))),
                "Plaintext", base64(dataKey),
                "KeyId", key.arn());
    }

    /** A blob is {@code version, key id length, key id, AEAD(plaintext)}; the AEAD binds the header and context. */
    private static byte[] seal(Key key, byte[] plaintext, Map<String, String> context) {
        byte[] keyId = key.id().getBytes(UTF_8);
        byte[] header = new byte[2 + keyId.length];
        header[0] = BLOB_VERSION;
        header[1] = (byte) keyId.length;
        System.arraycopy(keyId, 0, header, 2, keyId.length);
        // The header is authenticated too, so a blob cannot be moved to another key by rewriting its key id.
        try {
            return concatenate(header, key.aead().encrypt(plaintext, associatedData(header, context)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key a blob names, if the blob is well-formed and the key exists. */
    private Key keyOf(byte[] blob) throws ErrorAnswer {
        if (blob.length < 2 || blob[0] != BLOB_VERSION || blob.length < headerLength(blob)) {
            throw invalidCiphertext();
        }
        Key key = keysById.get(new String(blob, 2, headerLength(blob) - 2, UTF_8));
        if (key == null) {
            throw invalidCiphertext();
        }
        return key;
    }

    private static int headerLength(byte[] blob) {
        return 2 + (blob[1] & 0xff);
    }

    /** The context in a canonical form (sorted JSON), so that the order of its entries does not matter. */
    private static byte[] associatedData(byte[] header, Map<String, String> context) {
        return concatenate(header, Json.strict().writeValueAsBytes(new TreeMap<>(context)));
    }

    private Key resolveKey(String reference) throws ErrorAnswer {
        String resource = reference;
        if (reference.startsWith("arn:")) {
            List<String> parts = List.of(reference.split(":", 6));
            if (parts.size() != 6 || !reference.startsWith("arn:aws:kms:" + REGION + ":" + ACCOUNT_ID + ":")) {
                throw notFound(reference);
            }
            resource = parts.get(5);
        }
        String keyId;
        if (resource.startsWith("alias/")) {
            keyId = keyIdsByAlias.get(resource);
        } else if (reference.startsWith("arn:")) {
            keyId = resource.startsWith("key/") ? resource.substring("key/".length()) : null;
        } else {
            keyId = resource;
        }
        Key key = keyId == null ? null : keysById.get(keyId);
        if (key == null) {
            throw notFound(reference);
        }
        return key;
    }

    private void checkEnabled(Key key) throws ErrorAnswer {
        if (disabledKeyIds.contains(key.id())) {
            throw new ErrorAnswer(new Failure(400, "DisabledException"), key.arn() + " is disabled.");
        }
    }

    private Key requireKey(String reference) {
        try {
            return resolveKey(reference);
        } catch (ErrorAnswer e) {
            throw new IllegalArgumentException("no such key: " + reference, e);
        }
    }

    private static Map<String, String> encryptionContext(JsonNode request) throws ErrorAnswer {
        JsonNode context = request.path("EncryptionContext");
        if (context.isMissingNode()) {
            return Map.of();
        }
        if (!context.isObject()) {
            throw validationError("EncryptionContext must be an object");
        }
        Map<String, String> entries = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : context.properties()) {
            if (!entry.getValue().isString()) {
                throw validationError("EncryptionContext values must be strings");
            }
            entries.put(entry.getKey(), entry.getValue().asString());
        }
        return Map.copyOf(entries);
    }

    private static Optional<String> optionalString(JsonNode request, String name) throws ErrorAnswer {
        JsonNode value = request.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isString()) {
            throw validationError(name + " must be a string");
        }
        return Optional.of(value.asString());
    }

    private static String requiredString(JsonNode request, String name) throws ErrorAnswer {
        return optionalString(request, name).orElseThrow(() -> validationError(name + " is required"));
    }

    private static byte[] requiredBlob(JsonNode request, String name) throws ErrorAnswer {
        try {
            return Base64.getDecoder().decode(requiredString(request, name));
        } catch (IllegalArgumentException e) {
            throw new ErrorAnswer(new Failure(400, "SerializationException"), name + " is not base64");
        }
    }

    private static ErrorAnswer validationError(String message) {
        return new ErrorAnswer(new Failure(400, "ValidationException"), message);
    }

    private static ErrorAnswer notFound(String reference) {
        return new ErrorAnswer(new Failure(400, "NotFoundException"), "Key '" + reference + "' does not exist");
    }

    private static ErrorAnswer invalidCiphertext() {
        return new ErrorAnswer(new Failure(400, "InvalidCiphertextException"), "The ciphertext is invalid");
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] concatenate(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
