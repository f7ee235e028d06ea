package io.capstan.server.keyring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.server.CapstanException;
import io.capstan.server.internal.Ids;
import io.capstan.server.internal.Secret;
import io.capstan.server.testing.DirectorySnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestKeyring {
    private static final FieldLocation EMAIL = new FieldLocation("users", "email", "usr_aaaaaaaaaaaaaaaaaaaa");

    @TempDir
    Path directory;

    private Keyring open() {
        return Keyring.open(fileSource(), store(), false);
    }

    private KeyFileMasterKeySource fileSource() {
        return new KeyFileMasterKeySource(directory.resolve("keyring/master-key.json"));
    }

    private KeyStore store() {
        return new KeyStore(directory.resolve("keyring"));
    }

    @Test
    void valuesRoundTripAndCarryTheirKeyVersion() {
        Keyring keyring = open();
        String owner = Ids.newId("acc");

        Ciphertext ciphertext = keyring.encryptString(owner, EMAIL, "ada@example.com");

        assertThat(keyring.decryptString(owner, EMAIL, ciphertext)).isEqualTo("ada@example.com");
        assertThat(new String(ciphertext.bytes(), UTF_8)).doesNotContain("ada");
        assertThat(keyring.isUnderPrimary(owner, ciphertext)).isTrue();

        keyring.addDataKeyVersion(owner);

        assertThat(keyring.isUnderPrimary(owner, ciphertext)).isFalse();
        assertThat(keyring.decryptString(owner, EMAIL, ciphertext)).isEqualTo("ada@example.com");
        assertThat(keyring.isUnderPrimary(owner, keyring.encryptString(owner, EMAIL, "x")))
                .isTrue();
    }

    @Test
    void aFlippedBitAnywhereFailsWithDecryptionFailedNeverPlaintext() {
        Keyring keyring = open();
        String owner = Ids.newId("acc");
        byte[] ciphertext =
                keyring.encryptString(owner, EMAIL, "ada@example.com").bytes();

        for (int index = 0; index < ciphertext.length; index++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = ciphertext.clone();
                flipped[index] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> keyring.decrypt(owner, EMAIL, Ciphertext.of(flipped)))
                        .isInstanceOfSatisfying(
                                CapstanException.class,
                                e -> assertThat(e.code().code()).isEqualTo("decryption_failed"));
            }
        }
        assertThatThrownBy(() -> keyring.decrypt(owner, EMAIL, Ciphertext.of("ada@example.com".getBytes(UTF_8))))
                .isInstanceOf(CapstanException.class);
        assertThatThrownBy(() -> keyring.decrypt(owner, EMAIL, Ciphertext.of(new byte[0])))
                .isInstanceOf(CapstanException.class);
    }

    @Test
    void aValueMovedToAnotherRowColumnOrOwnerDoesNotDecrypt() {
        Keyring keyring = open();
        String owner = Ids.newId("acc");
        String other = Ids.newId("acc");
        keyring.encryptString(other, EMAIL, "other's key exists");
        Ciphertext ciphertext = keyring.encryptString(owner, EMAIL, "secret");

        for (FieldLocation elsewhere : new FieldLocation[] {
            new FieldLocation("users", "email", "usr_bbbbbbbbbbbbbbbbbbbb"),
            new FieldLocation("users", "name", EMAIL.rowId()),
            new FieldLocation("accounts", "email", EMAIL.rowId())
        }) {
            assertThatThrownBy(() -> keyring.decrypt(owner, elsewhere, ciphertext))
                    .isInstanceOf(CapstanException.class)
                    .hasMessageContaining("could not be decrypted");
        }
        assertThatThrownBy(() -> keyring.decrypt(other, EMAIL, ciphertext)).isInstanceOf(CapstanException.class);
    }

    @Test
    void destroyingAnOwnersKeyMakesItsValuesUnreadableEvenAfterReopening() {
        Keyring keyring = open();
        String owner = Ids.newId("acc");
        Ciphertext ciphertext = keyring.encryptString(owner, EMAIL, "secret");

        keyring.destroy(owner);

        assertThatThrownBy(() -> keyring.decrypt(owner, EMAIL, ciphertext))
                .isInstanceOfSatisfying(
                        CapstanException.class, e -> assertThat(e.code().code()).isEqualTo("decryption_failed"));
        assertThatThrownBy(() -> open().decrypt(owner, EMAIL, ciphertext)).isInstanceOf(CapstanException.class);
        assertThat(store().owners()).doesNotContain(owner);
    }

    @Test
    void keyFilesAreOwnerOnlyAndHoldNoKeyInClearButTheMasterKeyFile() throws IOException {
        Keyring keyring = open();
        String owner = Ids.newId("usr");
        keyring.encryptString(owner, EMAIL, "x");
        Secret databasePassword = keyring.databasePassword();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("keyring"))))
                .isEqualTo("rwx------");
        for (Path file : new Path[] {
            directory.resolve("keyring/master-key.json"),
            directory.resolve("keyring/keyring.json"),
            directory.resolve("keyring/database-key.json"),
            directory.resolve("keyring/data-keys/" + owner + ".json")
        }) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
        }
        assertThat(Files.readString(directory.resolve("keyring/database-key.json")))
                .doesNotContain(databasePassword.reveal());
        assertThat(open().databasePassword()).isEqualTo(databasePassword);
    }

    @Test
    void aMissingMasterKeyWithExistingKeysIsRefusedAndNothingChanges() throws IOException {
        open().encryptString(Ids.newId("acc"), EMAIL, "x");
        Files.delete(directory.resolve("keyring/master-key.json"));
        Map<String, String> before = DirectorySnapshot.of(directory);

        assertThatThrownBy(this::open)
                .isInstanceOf(KeyringUnavailableException.class)
                .hasMessageContaining(
                        "no master key was found in the key file " + directory.resolve("keyring/master-key.json"))
                .hasMessageContaining("never creates a new key over existing data");
        assertThat(DirectorySnapshot.of(directory)).isEqualTo(before);
    }

    @Test
    void aWrongMasterKeyIsRefusedAndNothingChanges() throws IOException {
        open().encryptString(Ids.newId("acc"), EMAIL, "x");
        Path other = directory.resolve("other");
        new KeyFileMasterKeySource(other.resolve("master-key.json")).create();
        Files.copy(
                other.resolve("master-key.json"),
                directory.resolve("keyring/master-key.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> before = DirectorySnapshot.of(directory);

        assertThatThrownBy(this::open)
                .isInstanceOf(KeyringUnavailableException.class)
                .hasMessageContaining("does not open the key store")
                .hasMessageContaining("key file");
        assertThat(DirectorySnapshot.of(directory)).isEqualTo(before);
    }

    @Test
    void aMissingKeyStoreWithEncryptedDataInTheDatabaseIsRefused() {
        assertThatThrownBy(() -> Keyring.open(fileSource(), store(), true))
                .isInstanceOf(KeyringUnavailableException.class)
                .hasMessageContaining("no master key was found");
        fileSource().create();
        assertThatThrownBy(() -> Keyring.open(fileSource(), store(), true))
                .isInstanceOf(KeyringUnavailableException.class)
                .hasMessageContaining("the key store " + directory.resolve("keyring") + " is missing or empty");
    }

    @Test
    void aMasterKeyFileOthersCanReadIsRefused() throws IOException {
        open();
        Files.setPosixFilePermissions(
                directory.resolve("keyring/master-key.json"), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(this::open).hasMessageContaining("chmod 600");
    }

    @Test
    void theEnvironmentVariableSourceWorksAndCannotBeCreatedByTheServer() throws Exception {
        Secret generated = EnvironmentMasterKeySource.generate();
        MasterKeySource source = new EnvironmentMasterKeySource(Map.of("CAPSTAN_MASTER_KEY", generated.reveal()));
        Keyring keyring = Keyring.open(source, store(), false);
        String owner = Ids.newId("acc");
        Ciphertext ciphertext = keyring.encryptString(owner, EMAIL, "x");

        assertThat(Keyring.open(source, store(), false).decryptString(owner, EMAIL, ciphertext))
                .isEqualTo("x");
        assertThatThrownBy(() -> Keyring.open(new EnvironmentMasterKeySource(Map.of()), store(), false))
                .hasMessageContaining("no master key was found in the environment variable CAPSTAN_MASTER_KEY");
        MasterKeySource wrong = new EnvironmentMasterKeySource(Map.of(
                "CAPSTAN_MASTER_KEY", EnvironmentMasterKeySource.generate().reveal()));
        assertThatThrownBy(() -> Keyring.open(wrong, store(), false))
                .hasMessageContaining("environment variable CAPSTAN_MASTER_KEY does not open");
        assertThatThrownBy(() -> new EnvironmentMasterKeySource(Map.of()).create())
                .hasMessageContaining("capstan admin master-key generate");
    }

    @Test
    void masterKeyRotationRewrapsEverythingAndRetiresTheOldVersion() throws IOException {
        Keyring keyring = open();
        String owner = Ids.newId("acc");
        Ciphertext ciphertext = keyring.encryptString(owner, EMAIL, "x");
        keyring.databasePassword();
        String oldVersion = keyring.masterKey().primaryVersion();

        Keyring.MasterKeyRotation rotation = keyring.rotateMasterKey();

        assertThat(rotation.versionsBefore()).containsExactly(oldVersion);
        assertThat(rotation.primaryVersion()).isNotEqualTo(oldVersion);
        assertThat(rotation.versionsAfter()).containsExactly(rotation.primaryVersion());
        assertThat(rotation.rewrapped()).isEqualTo(2);
        assertThat(keyring.wrappedUnderOtherVersions(rotation.primaryVersion())).isEmpty();
        assertThat(Files.readString(directory.resolve("keyring/master-key.json")))
                .doesNotContain(oldVersion.substring(5));
        Keyring reopened = open();
        assertThat(reopened.decryptString(owner, EMAIL, ciphertext)).isEqualTo("x");
        assertThat(reopened.masterKey().versions()).containsExactly(rotation.primaryVersion());
    }

    @Test
    void environmentKeysAreRotatedByTheOperatorThenRewrappedByTheServer() throws Exception {
        Secret first = EnvironmentMasterKeySource.generate();
        Keyring keyring = Keyring.open(
                new EnvironmentMasterKeySource(Map.of("CAPSTAN_MASTER_KEY", first.reveal())), store(), false);
        String owner = Ids.newId("acc");
        Ciphertext ciphertext = keyring.encryptString(owner, EMAIL, "x");

        Secret both = EnvironmentMasterKeySource.withNewVersion(first);
        Keyring restarted = Keyring.open(
                new EnvironmentMasterKeySource(Map.of("CAPSTAN_MASTER_KEY", both.reveal())), store(), false);
        Keyring.MasterKeyRotation rotation = restarted.rotateMasterKey();

        assertThat(rotation.versionsAfter()).hasSize(2);
        assertThat(rotation.advice())
                .hasValueSatisfying(advice -> assertThat(advice).contains("--retire-old"));
        Secret onlyNew = EnvironmentMasterKeySource.withOnlyPrimary(both);
        Keyring retired = Keyring.open(
                new EnvironmentMasterKeySource(Map.of("CAPSTAN_MASTER_KEY", onlyNew.reveal())), store(), false);
        assertThat(retired.decryptString(owner, EMAIL, ciphertext)).isEqualTo("x");
        assertThatThrownBy(() -> Keyring.open(
                        new EnvironmentMasterKeySource(Map.of("CAPSTAN_MASTER_KEY", first.reveal())), store(), false))
                .isInstanceOf(KeyringUnavailableException.class);
    }
}
