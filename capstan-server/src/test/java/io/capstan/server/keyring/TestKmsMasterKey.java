package io.capstan.server.keyring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.server.internal.Ids;
import io.capstan.server.keyring.kms.KmsAead;
import io.capstan.server.keyring.kms.KmsClients;
import io.capstan.server.testing.DirectorySnapshot;
import io.capstan.server.testing.aws.TestingKmsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.kms.KmsClient;

/** The AWS KMS master key source, against a loopback wire stub of KMS (no real KMS is reachable here). */
class TestKmsMasterKey {
    private static final FieldLocation SECRET = new FieldLocation("clusters", "ca_key", "clu_aaaaaaaaaaaaaaaaaaaa");

    @TempDir
    Path directory;

    private TestingKmsServer kms;
    private KmsClient client;
    private String keyArn;

    @BeforeEach
    void start() {
        kms = TestingKmsServer.start();
        keyArn = kms.createKey();
        client = KmsClients.create(
                TestingKmsServer.REGION,
                Optional.of(kms.endpoint()),
                Duration.ofSeconds(2),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTESTTESTTEST", "test-secret")));
    }

    @AfterEach
    void stop() {
        client.close();
        kms.close();
    }

    private Keyring open() {
        return Keyring.open(
                new AwsKmsMasterKeySource(new KmsAead(client, keyArn)),
                new KeyStore(directory.resolve("keyring")),
                false);
    }

    @Test
    void dataKeysAreWrappedByKmsAndNoKeyMaterialIsOnDisk() {
        Keyring keyring = open();
        String owner = Ids.newId("acc");
        Ciphertext ciphertext = keyring.encryptString(owner, SECRET, "ca private key");
        keyring.databasePassword();
        int callsAfterSetup = kms.calls();

        Keyring reopened = open();

        assertThat(reopened.decryptString(owner, SECRET, ciphertext)).isEqualTo("ca private key");
        assertThat(kms.calls()).isGreaterThan(callsAfterSetup);
        assertThat(reopened.masterKey().primaryVersion()).isEqualTo("aws-kms:" + keyArn);
        assertThat(directory.resolve("keyring/master-key.json")).doesNotExist();
        assertThat(reopened.sourceDescription()).isEqualTo("AWS KMS key " + keyArn);
    }

    @Test
    void rotationRewrapsEveryKeyThroughKms() {
        Keyring keyring = open();
        String owner = Ids.newId("acc");
        Ciphertext ciphertext = keyring.encryptString(owner, SECRET, "x");
        int encryptsBefore = kms.calls("Encrypt");

        Keyring.MasterKeyRotation rotation = keyring.rotateMasterKey();

        assertThat(rotation.rewrapped()).isEqualTo(1);
        assertThat(kms.calls("Encrypt")).isGreaterThan(encryptsBefore);
        assertThat(open().decryptString(owner, SECRET, ciphertext)).isEqualTo("x");
    }

    @Test
    void kmsErrorsAtStartAreRefusalsThatNameTheKeyAndChangeNothing() {
        open().encryptString(Ids.newId("acc"), SECRET, "x");
        Map<String, String> before = DirectorySnapshot.of(directory);

        kms.failNextCalls(1, TestingKmsServer.Failure.ACCESS_DENIED);
        assertThatThrownBy(this::open)
                .isInstanceOf(KeyringUnavailableException.class)
                .hasMessageContaining("AWS KMS key " + keyArn)
                .hasMessageContaining("AccessDeniedException");

        kms.disableKey(keyArn);
        assertThatThrownBy(this::open).hasMessageContaining("DisabledException");
        kms.enableKey(keyArn);

        assertThat(DirectorySnapshot.of(directory)).isEqualTo(before);
        assertThat(open().keyringId()).isNotBlank();
    }

    @Test
    void aKmsThatDoesNotAnswerFailsTheStartQuickly() {
        open();
        kms.delayAnswers(Duration.ofMinutes(5));
        Instant started = Instant.now();

        assertThatThrownBy(this::open).isInstanceOf(KeyringUnavailableException.class);

        assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void anotherKmsKeyDoesNotOpenTheKeyring() {
        open();
        String otherKey = kms.createKey();

        assertThatThrownBy(() -> Keyring.open(
                        new AwsKmsMasterKeySource(new KmsAead(client, otherKey)),
                        new KeyStore(directory.resolve("keyring")),
                        false))
                .isInstanceOf(KeyringUnavailableException.class)
                .hasMessageContaining("does not open the key store");
    }
}
