package io.capstan.server.keyring.kms;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.capstan.server.testing.aws.TestingKmsServer;
import io.capstan.server.testing.aws.TestingKmsServer.Failure;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;

class TestKmsAead {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    private static final byte[] PLAINTEXT = "an account's data keyset".getBytes(UTF_8);
    private static final byte[] ASSOCIATED_DATA = "account 42".getBytes(UTF_8);

    private TestingKmsServer kms;
    private KmsClient client;
    private String keyArn;

    @BeforeEach
    void start() {
        kms = TestingKmsServer.start();
        keyArn = kms.createKey();
        client = client(CALL_TIMEOUT);
    }

    @AfterEach
    void stop() {
        client.close();
        kms.close();
    }

    @Test
    void encryptsAndDecryptsThroughKms() throws GeneralSecurityException {
        KmsAead aead = new KmsAead(client, keyArn);

        byte[] ciphertext = aead.encrypt(PLAINTEXT, ASSOCIATED_DATA);

        assertThat(ciphertext).isNotEmpty();
        assertThat(new String(ciphertext, UTF_8)).doesNotContain("keyset");
        assertThat(aead.decrypt(ciphertext, ASSOCIATED_DATA)).isEqualTo(PLAINTEXT);
        assertThat(kms.calls("Encrypt")).isEqualTo(1);
        assertThat(kms.calls("Decrypt")).isEqualTo(1);
    }

    @Test
    void emptyAndMissingAssociatedDataAreTheSame() throws GeneralSecurityException {
        KmsAead aead = new KmsAead(client, keyArn);

        assertThat(aead.decrypt(aead.encrypt(PLAINTEXT, new byte[0]), null)).isEqualTo(PLAINTEXT);
        assertThat(aead.decrypt(aead.encrypt(PLAINTEXT, null), new byte[0])).isEqualTo(PLAINTEXT);
    }

    @Test
    void theKeyCanBeNamedByIdAliasOrAliasArn() throws GeneralSecurityException {
        String keyId = keyArn.substring(keyArn.indexOf(":key/") + ":key/".length());
        String aliasArn = kms.createAlias("alias/capstan-master", keyArn);
        byte[] ciphertext = new KmsAead(client, keyArn).encrypt(PLAINTEXT, ASSOCIATED_DATA);

        for (String name : new String[] {keyId, "alias/capstan-master", aliasArn}) {
            KmsAead aead = new KmsAead(client, name);
            assertThat(aead.decrypt(ciphertext, ASSOCIATED_DATA)).as(name).isEqualTo(PLAINTEXT);
            assertThat(aead.decrypt(aead.encrypt(PLAINTEXT, ASSOCIATED_DATA), ASSOCIATED_DATA))
                    .as(name)
                    .isEqualTo(PLAINTEXT);
        }
    }

    @Test
    void associatedDataTravelsAsTinksHexEncryptionContext() throws GeneralSecurityException {
        byte[] ciphertext = new KmsAead(client, keyArn).encrypt(PLAINTEXT, ASSOCIATED_DATA);

        // A plain KMS call with Tink's context opens it: ciphertexts are interchangeable with Tink's AwsKmsAead.
        byte[] plaintext = client.decrypt(request -> request.keyId(keyArn)
                        .ciphertextBlob(SdkBytes.fromByteArray(ciphertext))
                        .encryptionContext(
                                Map.of("associatedData", HexFormat.of().formatHex(ASSOCIATED_DATA))))
                .plaintext()
                .asByteArray();
        assertThat(plaintext).isEqualTo(PLAINTEXT);
        assertThatThrownBy(() -> client.decrypt(
                        request -> request.keyId(keyArn).ciphertextBlob(SdkBytes.fromByteArray(ciphertext))))
                .isInstanceOf(InvalidCiphertextException.class);
    }

    @Test
    void otherAssociatedDataIsRefused() throws GeneralSecurityException {
        KmsAead aead = new KmsAead(client, keyArn);
        byte[] ciphertext = aead.encrypt(PLAINTEXT, ASSOCIATED_DATA);

        for (byte[] other : new byte[][] {"account 43".getBytes(UTF_8), new byte[0]}) {
            assertThatThrownBy(() -> aead.decrypt(ciphertext, other))
                    .isInstanceOf(GeneralSecurityException.class)
                    .hasMessage("KMS Decrypt with key " + keyArn + " failed: InvalidCiphertextException (HTTP 400)");
        }
    }

    @Test
    void everyFlippedBitIsRefused() throws GeneralSecurityException {
        KmsAead aead = new KmsAead(client, keyArn);
        byte[] ciphertext = aead.encrypt(PLAINTEXT, ASSOCIATED_DATA);

        for (int index = 0; index < ciphertext.length; index++) {
            byte[] damaged = ciphertext.clone();
            damaged[index] ^= (byte) (1 << (index % 8));
            assertThatThrownBy(() -> aead.decrypt(damaged, ASSOCIATED_DATA))
                    .as("bit %s of byte %s", index % 8, index)
                    .isInstanceOf(GeneralSecurityException.class)
                    .hasMessageContaining("KMS Decrypt with key " + keyArn + " failed: ");
        }
    }

    @ParameterizedTest
    @CsvSource({
        // error, HTTP status, attempts: KMS_CLIENTS retries throttling and 500s, never a refusal
        "AccessDeniedException, 400, 1",
        "ThrottlingException, 400, 3",
        "KMSInternalException, 500, 3",
    })
    void kmsErrorsBecomeGeneralSecurityExceptionsNamingKeyAndCode(String errorCode, int status, int attempts) {
        KmsAead aead = new KmsAead(client, keyArn);
        kms.failNextCalls(KmsClients.MAXIMUM_ATTEMPTS, new Failure(status, errorCode));

        assertThatThrownBy(() -> aead.encrypt(PLAINTEXT, ASSOCIATED_DATA))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("KMS Encrypt with key %s failed: %s (HTTP %s)", keyArn, errorCode, status)
                .message()
                .doesNotContain(new String(PLAINTEXT, UTF_8))
                .doesNotContain(HexFormat.of().formatHex(PLAINTEXT));
        assertThat(kms.calls("Encrypt")).isEqualTo(attempts);
    }

    @Test
    void oneThrottleIsRiddenOut() throws GeneralSecurityException {
        KmsAead aead = new KmsAead(client, keyArn);
        kms.failNextCalls(1, Failure.THROTTLING);

        byte[] ciphertext = aead.encrypt(PLAINTEXT, ASSOCIATED_DATA);

        assertThat(kms.calls("Encrypt")).isEqualTo(2);
        assertThat(aead.decrypt(ciphertext, ASSOCIATED_DATA)).isEqualTo(PLAINTEXT);
    }

    @Test
    void aDisabledKeyNeitherEncryptsNorDecrypts() throws GeneralSecurityException {
        KmsAead aead = new KmsAead(client, keyArn);
        byte[] ciphertext = aead.encrypt(PLAINTEXT, ASSOCIATED_DATA);

        kms.disableKey(keyArn);

        assertThatThrownBy(() -> aead.encrypt(PLAINTEXT, ASSOCIATED_DATA))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("KMS Encrypt with key " + keyArn + " failed: DisabledException (HTTP 400)");
        assertThatThrownBy(() -> aead.decrypt(ciphertext, ASSOCIATED_DATA))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("KMS Decrypt with key " + keyArn + " failed: DisabledException (HTTP 400)");

        kms.enableKey(keyArn);
        assertThat(aead.decrypt(ciphertext, ASSOCIATED_DATA)).isEqualTo(PLAINTEXT);
    }

    @Test
    void aSilentKmsFailsWithinTheCallTimeout() {
        Duration callTimeout = Duration.ofSeconds(1);
        try (KmsClient impatient = client(callTimeout)) {
            KmsAead aead = new KmsAead(impatient, keyArn);
            kms.delayAnswers(Duration.ofMinutes(5));

            long started = System.nanoTime();
            assertThatThrownBy(() -> aead.encrypt(PLAINTEXT, ASSOCIATED_DATA))
                    .isInstanceOf(GeneralSecurityException.class)
                    .hasMessageMatching("KMS Encrypt with key .* failed: ApiCall(Attempt)?TimeoutException")
                    .hasCauseInstanceOf(SdkClientException.class);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

            // Far below the stub's five minutes; the margin over the timeout is for a cold JVM on a busy machine.
            assertThat(elapsed).isLessThan(callTimeout.multipliedBy(5));
        }
    }

    @Test
    void anUnreachableKmsFailsWithAClientError() {
        KmsAead aead = new KmsAead(client, keyArn);
        kms.close();

        assertThatThrownBy(() -> aead.encrypt(PLAINTEXT, ASSOCIATED_DATA))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("KMS Encrypt with key " + keyArn + " failed: SdkClientException");
    }

    @Test
    void kmsRefusesACiphertextOfAnotherKey() throws GeneralSecurityException {
        String otherKeyArn = kms.createKey();
        byte[] ciphertext = new KmsAead(client, otherKeyArn).encrypt(PLAINTEXT, ASSOCIATED_DATA);

        assertThatThrownBy(() -> new KmsAead(client, keyArn).decrypt(ciphertext, ASSOCIATED_DATA))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("KMS Decrypt with key " + keyArn + " failed: IncorrectKeyException (HTTP 400)");
    }

    @Test
    void anAnswerNamingAnotherKeyIsRefused() throws GeneralSecurityException {
        String otherKeyArn = kms.createKey();
        KmsAead aead = new KmsAead(client, keyArn);
        byte[] ciphertext = aead.encrypt(PLAINTEXT, ASSOCIATED_DATA);

        kms.misreportDecryptKeyArn(otherKeyArn);

        assertThatThrownBy(() -> aead.decrypt(ciphertext, ASSOCIATED_DATA))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("KMS Decrypt with key " + keyArn + " failed: the ciphertext belongs to another key ("
                        + otherKeyArn + ")");
        String keyId = keyArn.substring(keyArn.indexOf(":key/") + ":key/".length());
        assertThatThrownBy(() -> new KmsAead(client, keyId).decrypt(ciphertext, ASSOCIATED_DATA))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("belongs to another key");
    }

    @ParameterizedTest
    @CsvSource({
        "arn:aws:kms:us-east-1:111122223333:key/k1, arn:aws:kms:us-east-1:111122223333:key/k1, true",
        "arn:aws:kms:us-east-1:111122223333:key/k1, arn:aws:kms:us-east-1:111122223333:key/k2, false",
        "arn:aws:kms:us-east-1:111122223333:key/k1, arn:aws:kms:eu-west-1:111122223333:key/k1, false",
        "arn:aws:kms:us-east-1:111122223333:key/k1, arn:aws:kms:us-east-1:444455556666:key/k1, false",
        "k1, arn:aws:kms:us-east-1:111122223333:key/k1, true",
        "k1, arn:aws:kms:eu-west-1:444455556666:key/k1, true",
        "k1, arn:aws:kms:us-east-1:111122223333:key/xk1, false",
        "k1, arn:aws:kms:us-east-1:111122223333:key/k1x, false",
        "k1, k1, false",
        "alias/master, arn:aws:kms:us-east-1:111122223333:key/k2, true",
        "arn:aws:kms:us-east-1:111122223333:alias/master, arn:aws:kms:us-east-1:111122223333:key/k2, true",
    })
    void theAnswersKeyIsCheckedAgainstTheConfiguredOne(String configured, String answered, boolean accepted) {
        assertThat(KmsAead.answerMatchesConfiguredKey(configured, answered)).isEqualTo(accepted);
    }

    @Test
    void wrapsATinkKeysetForEnvelopeEncryption() throws GeneralSecurityException {
        Configuration tink = AeadConfig2026.get();
        KmsAead masterKey = new KmsAead(client, keyArn);
        KeysetHandle dataKeyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, tink);

        byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKeyset, masterKey, ASSOCIATED_DATA, tink);
        KeysetHandle unwrapped = TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, masterKey, ASSOCIATED_DATA, tink);

        assertThat(unwrapped.equalsKeyset(dataKeyset)).isTrue();
        Aead original = dataKeyset.getPrimitive(tink, Aead.class);
        Aead restored = unwrapped.getPrimitive(tink, Aead.class);
        byte[] secret = "a forwarded credential".getBytes(UTF_8);
        assertThat(restored.decrypt(original.encrypt(secret, ASSOCIATED_DATA), ASSOCIATED_DATA))
                .isEqualTo(secret);
        assertThatThrownBy(() -> TinkProtoKeysetFormat.parseEncryptedKeyset(
                        wrapped, masterKey, "account 43".getBytes(UTF_8), tink))
                .isInstanceOf(GeneralSecurityException.class);
        assertThat(kms.calls("Encrypt")).isEqualTo(1);
    }

    @Test
    void servesAsTheRemoteKeyOfTinksKmsEnvelopeAead() throws GeneralSecurityException {
        Aead envelope = KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, new KmsAead(client, keyArn));
        byte[] large = "x".repeat(100_000).getBytes(UTF_8);

        byte[] ciphertext = envelope.encrypt(large, ASSOCIATED_DATA);

        assertThat(envelope.decrypt(ciphertext, ASSOCIATED_DATA)).isEqualTo(large);
        assertThatThrownBy(() -> envelope.decrypt(ciphertext, new byte[0]))
                .isInstanceOf(GeneralSecurityException.class);
    }

    private KmsClient client(Duration callTimeout) {
        return KmsClients.create(TestingKmsServer.REGION, Optional.of(kms.endpoint()), callTimeout, CREDENTIALS);
    }
}
