package io.capstan.bench;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.capstan.server.internal.Ids;
import io.capstan.server.keyring.Ciphertext;
import io.capstan.server.keyring.DataKeyRotationService;
import io.capstan.server.keyring.EncryptedColumn;
import io.capstan.server.keyring.FieldLocation;
import io.capstan.server.keyring.KeyFileMasterKeySource;
import io.capstan.server.keyring.KeyStore;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.store.Database;
import io.capstan.server.store.DatabaseSettings;
import io.capstan.server.user.EncryptEmailsMigration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The keyring's cost. (1) Encrypt and decrypt of 1 KiB values per second on one core through {@link Keyring},
 * against the baseline of the bare Tink AES-256-GCM primitive on the same data: the ratio is the keyring's own
 * overhead (key lookup, associated data). (2) Re-encryption rate of a data key rotation over values stored in the
 * embedded database, in values per second.
 */
final class KeyringBenchmark {
    private KeyringBenchmark() {}

    static void run(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path directory = Files.createTempDirectory("capstan-bench-keyring");
        try {
            Keyring keyring = Keyring.open(
                    new KeyFileMasterKeySource(directory.resolve("keyring/master-key.json")),
                    new KeyStore(directory.resolve("keyring")),
                    false);
            byte[] value = new byte[1024];
            new SecureRandom().nextBytes(value);
            String owner = Ids.newId("acc");
            FieldLocation location = new FieldLocation("bench_values", "value", "row_1");
            Aead bare = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, AeadConfig2026.get())
                    .getPrimitive(AeadConfig2026.get(), Aead.class);
            byte[] associatedData =
                    "capstan/field/v1|acc|bench_values|value|row_1".getBytes(java.nio.charset.StandardCharsets.UTF_8);

            Duration warmup = Duration.ofSeconds(3);
            Duration measure = Duration.ofSeconds(5);
            double baseline = Measure.perSecond(
                    warmup, measure, () -> bare.decrypt(bare.encrypt(value, associatedData), associatedData));
            double keyringRate = Measure.perSecond(
                    warmup, measure, () -> keyring.decrypt(owner, location, keyring.encrypt(owner, location, value)));
            System.out.printf("keyring encrypt+decrypt, 1 KiB values, one thread: %,.0f per second%n", keyringRate);
            System.out.printf("baseline (bare Tink AES-256-GCM, same values):      %,.0f per second%n", baseline);
            System.out.printf("ratio keyring / baseline: %.2f%n", keyringRate / baseline);

            rotation(directory, keyring, value, rows);
        } finally {
            Folders.deleteRecursively(directory);
        }
    }

    private static void rotation(Path directory, Keyring keyring, byte[] value, int rows) throws Exception {
        Database database = Database.connect(DatabaseSettings.embedded(directory, keyring.databasePassword()));
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            database.migrate(List.of(new EncryptEmailsMigration(keyring)));
            database.jdbi()
                    .useHandle(handle -> handle.execute(
                            "CREATE TABLE bench_values (id VARCHAR(40) PRIMARY KEY, owner VARCHAR(40), secret BYTEA)"));
            EncryptedColumn column = new EncryptedColumn("bench_values", "id", "secret", "owner", "secret");
            String[] owners = new String[16];
            for (int i = 0; i < owners.length; i++) {
                owners[i] = Ids.newId("acc");
            }
            database.jdbi().useTransaction(handle -> {
                var batch = handle.prepareBatch(
                        "INSERT INTO bench_values (id, owner, secret) VALUES (:id, :owner, :secret)");
                for (int i = 0; i < rows; i++) {
                    String id = String.format("row_%09d", i);
                    String owner = owners[i % owners.length];
                    Ciphertext ciphertext = keyring.encrypt(owner, column.location(id), value);
                    batch.bind("id", id)
                            .bind("owner", owner)
                            .bind("secret", ciphertext)
                            .add();
                }
                batch.execute();
            });
            DataKeyRotationService service = new DataKeyRotationService(
                    database.jdbi(), keyring, List.of(column), executor, Clock.systemUTC(), 200);
            long start = System.nanoTime();
            String id = service.start(Optional.empty()).id();
            while (!service.get(id).state().equals("done")) {
                if (service.get(id).state().equals("failed")) {
                    throw new IllegalStateException(
                            "rotation failed: " + service.get(id).error());
                }
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "data key rotation, embedded database: %,d values of 1 KiB re-encrypted in %.1f s,"
                            + " %,.0f values per second (batches of 200 rows)%n",
                    rows, seconds, rows / seconds);
        } finally {
            executor.shutdownNow();
            database.close();
        }
    }
}
