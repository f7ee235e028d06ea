package io.capstan.server.keyring;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.capstan.api.Role;
import io.capstan.api.admin.DataKeyRotationView;
import io.capstan.api.admin.MasterKeyRotationResult;
import io.capstan.api.user.CreateUserRequest;
import io.capstan.api.user.UserView;
import io.capstan.client.CapstanClient;
import io.capstan.server.CapstanException;
import io.capstan.server.CapstanServer;
import io.capstan.server.store.DatabaseSettings;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.DirectorySnapshot;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import io.capstan.server.user.TestingUsers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.core.type.TypeReference;

/** The keyring as the server uses it, on H2 and PostgreSQL. */
class TestKeyringOnServer {
    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aDatabaseDumpHoldsNoStoredSecretInClear(TestingDatabase.Kind kind) throws IOException {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            String canary = "canary-7d3f9a1e@example.org";
            admin.createUser(new CreateUserRequest("ada", canary, false));

            assertThat(admin.listUsers()).extracting(UserView::email).contains(canary);
            String dump = DatabaseDump.script(server.server().database());
            assertThat(dump).contains("ada").doesNotContain(canary).doesNotContain("canary-7d3f9a1e");
            assertThat(dump).doesNotContain(server.adminToken());
            try (var files = Files.walk(server.config().dataDirectory().resolve("keyring"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(file)).doesNotContain(canary);
                }
            }
            if (kind == TestingDatabase.Kind.H2) {
                server.stop();
                String file = new String(
                        Files.readAllBytes(
                                DatabaseSettings.embeddedFile(server.config().dataDirectory())),
                        ISO_8859_1);
                assertThat(file)
                        .doesNotContain(canary)
                        .doesNotContain("api_tokens")
                        .doesNotContain("users");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void masterKeyRotationUnderLoadSeesNoErrorsAndLeavesNothingOnTheOldVersion(TestingDatabase.Kind kind)
            throws Exception {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            for (int i = 0; i < 5; i++) {
                Fixtures.user(admin, "seed-" + i);
            }
            String firstVersion = server.server().keyring().masterKey().primaryVersion();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger requests = new AtomicInteger();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            List<Thread> load = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                load.add(new Thread(() -> {
                    int n = 0;
                    while (running.get()) {
                        try {
                            if (thread % 2 == 0) {
                                assertThat(admin.listUsers())
                                        .allSatisfy(
                                                user -> assertThat(user.email()).contains("@"));
                            } else {
                                Fixtures.user(admin, "load-" + thread + "-" + n++);
                            }
                            requests.incrementAndGet();
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }
                }));
            }
            load.forEach(Thread::start);
            await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() > 20);
            List<MasterKeyRotationResult> rotations = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                rotations.add(admin.call(
                        "POST",
                        "/api/v1/admin/master-key/rotate",
                        Optional.empty(),
                        new TypeReference<MasterKeyRotationResult>() {}));
            }
            int before = requests.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() > before + 20);
            running.set(false);
            for (Thread thread : load) {
                thread.join();
            }

            assertThat(errors).isEmpty();
            MasterKeyRotationResult last = rotations.get(2);
            assertThat(last.versionsAfter()).containsExactly(last.primaryVersion());
            assertThat(last.primaryVersion()).isNotEqualTo(firstVersion);
            Keyring keyring = server.server().keyring();
            assertThat(keyring.wrappedUnderOtherVersions(last.primaryVersion())).isEmpty();
            assertThat(keyring.masterKey().versions()).containsExactly(last.primaryVersion());
            List<String> emails = TestingUsers.emails(server.server().database(), keyring);

            server.stop();
            server.startAgain();

            assertThat(server.server().keyring().masterKey().versions()).containsExactly(last.primaryVersion());
            assertThat(TestingUsers.emails(
                            server.server().database(), server.server().keyring()))
                    .containsExactlyInAnyOrderElementsOf(emails);
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aDataKeyRotationKilledMidwayResumesAndFinishes(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server =
                TestingCapstanServer.start(kind, builder -> builder.rotationBatchSize(1), Clock.systemUTC())) {
            TestingUsers.insert(server.server().database(), server.server().keyring(), "bulk", 1500);
            List<String> emails = TestingUsers.emails(
                    server.server().database(), server.server().keyring());
            CapstanClient admin = server.adminClient();

            DataKeyRotationView started = admin.call(
                    "POST",
                    "/api/v1/admin/data-key-rotations",
                    Optional.of(Map.of()),
                    new TypeReference<DataKeyRotationView>() {});
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> rotation(admin, started.id()).rowsScanned() >= 20);
            server.stop();

            server.startAgain();
            DataKeyRotationView afterRestart = rotation(server.adminClient(), started.id());
            assertThat(afterRestart.state()).as("the rotation was interrupted").isIn("running", "done");
            assertThat(afterRestart.rowsScanned()).isLessThan(afterRestart.rowsTotal());
            await().atMost(Duration.ofMinutes(3))
                    .until(() ->
                            rotation(server.adminClient(), started.id()).state().equals("done"));

            DataKeyRotationView done = rotation(server.adminClient(), started.id());
            assertThat(done.rowsTotal()).isEqualTo(1501);
            assertThat(done.rowsScanned()).as("resumed, not restarted").isEqualTo(done.rowsTotal());
            assertThat(done.rowsReencrypted()).isEqualTo(done.rowsTotal());
            Keyring keyring = server.server().keyring();
            assertThat(TestingUsers.emails(server.server().database(), keyring))
                    .containsExactlyInAnyOrderElementsOf(emails);
            assertThat(TestingUsers.allUnderPrimary(server.server().database(), keyring))
                    .isTrue();
            assertThat(keyring.owners())
                    .allSatisfy(
                            owner -> assertThat(keyring.dataKeyVersions(owner)).isEqualTo(1));
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aDeletedAccountsDataDoesNotDecryptFromABackupRestoredUnderTheLiveKeyring(TestingDatabase.Kind kind)
            throws Exception {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "doomed");
            Fixtures.account(admin, "kept");
            Fixtures.user(admin, "ada");
            admin.setMember("doomed", "ada", Role.MEMBER);
            String doomed = admin.showAccount("doomed").id();
            String kept = admin.showAccount("kept").id();
            Probe probe = new Probe(server);
            probe.store(doomed, "the doomed account's secret");
            probe.store(kept, "the kept account's secret");
            Backup backup = Backup.take(server);

            server.adminClient().deleteAccount("doomed");
            assertThat(probe.readable(doomed)).isFalse();
            backup.restore();

            Keyring keyring = server.server().keyring();
            assertThat(server.adminClient().showAccount("doomed").id())
                    .as("the backup is restored")
                    .isEqualTo(doomed);
            assertThat(probe.ciphertext(doomed)).isPresent();
            assertThat(probe.readable(doomed)).isFalse();
            assertThatThrownBy(() -> probe.read(doomed))
                    .isInstanceOfSatisfying(
                            CapstanException.class,
                            e -> assertThat(e.code().code()).isEqualTo("decryption_failed"));
            assertThat(probe.read(kept)).isEqualTo("the kept account's secret");
            assertThat(keyring.hasDataKey(doomed)).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void theServerRefusesToStartWithAMissingOrWrongMasterKeyAndChangesNothing(TestingDatabase.Kind kind)
            throws Exception {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            Fixtures.user(server.adminClient(), "ada");
            server.stop();
            Path data = server.config().dataDirectory();
            Path masterKey = data.resolve("keyring/master-key.json");
            Path kept = server.root().resolve("master-key.json");
            Files.move(masterKey, kept);
            Map<String, String> files = DirectorySnapshot.of(data);
            Map<String, List<String>> rows = tablesIfExternal(server);

            assertThatThrownBy(server::startAgain)
                    .isInstanceOf(KeyringUnavailableException.class)
                    .hasMessageContaining("no master key was found in the key file " + masterKey)
                    .hasMessageContaining("never creates a new key over existing data");
            assertThat(DirectorySnapshot.of(data)).isEqualTo(files);

            new KeyFileMasterKeySource(server.root().resolve("other/master-key.json")).create();
            Files.copy(server.root().resolve("other/master-key.json"), masterKey);
            files = DirectorySnapshot.of(data);
            assertThatThrownBy(server::startAgain)
                    .isInstanceOf(KeyringUnavailableException.class)
                    .hasMessageContaining("does not open the key store");
            assertThat(DirectorySnapshot.of(data)).isEqualTo(files);
            assertThat(tablesIfExternal(server)).isEqualTo(rows);

            Files.move(kept, masterKey, StandardCopyOption.REPLACE_EXISTING);
            server.startAgain();
            assertThat(server.adminClient().listUsers())
                    .extracting(UserView::username)
                    .contains("ada");
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void anInstallationFromBeforeTheKeyringIsEncryptedOnItsFirstStart(TestingDatabase.Kind kind) throws Exception {
        Path root = Files.createTempDirectory("capstan-legacy");
        try (TestingDatabase database = TestingDatabase.create(kind)) {
            Path data = root.resolve("data");
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            String url = database.serverUrl()
                    .map(secret -> secret.reveal())
                    .orElse("jdbc:h2:file:" + data.resolve("capstan")
                            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
            Flyway.configure()
                    .dataSource(url, kind == TestingDatabase.Kind.H2 ? "capstan" : null, "")
                    .locations("classpath:db/migration")
                    .target("1")
                    .load()
                    .migrate();
            String canary = "legacy-9c2e@example.org";
            try (Connection connection = java.sql.DriverManager.getConnection(
                            url, kind == TestingDatabase.Kind.H2 ? "capstan" : null, "");
                    Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO users (id, username, email, server_admin, created_at) VALUES"
                        + " ('usr_legacylegacylegacyle', 'ada', '" + canary + "', false, CURRENT_TIMESTAMP)");
            }

            io.capstan.server.ServerConfig config =
                    io.capstan.server.ServerConfig.defaults(Map.of("HOME", root.toString())).toBuilder()
                            .listen("127.0.0.1", 0)
                            .dataDirectory(data)
                            .databaseUrl(database.serverUrl())
                            .build();
            List<io.capstan.api.token.CreatedToken> tokens = new java.util.ArrayList<>();
            try (CapstanServer server = CapstanServer.start(config, Clock.systemUTC(), tokens::add)) {
                CapstanClient admin = CapstanClient.create(
                        server.uri(), Optional.of(tokens.get(0).secret()));
                assertThat(admin.listUsers()).extracting(UserView::email).contains(canary);
                assertThat(DatabaseDump.script(server.database()))
                        .doesNotContain(canary)
                        .contains("ada");
            }
            if (kind == TestingDatabase.Kind.H2) {
                String file = new String(Files.readAllBytes(DatabaseSettings.embeddedFile(data)), ISO_8859_1);
                assertThat(file).doesNotContain(canary).doesNotContain("api_tokens");
            }
        } finally {
            TestingCapstanServer.deleteRecursively(root);
        }
    }

    private static DataKeyRotationView rotation(CapstanClient admin, String id) {
        return admin.call(
                "GET",
                "/api/v1/admin/data-key-rotations/" + id,
                Optional.empty(),
                new TypeReference<DataKeyRotationView>() {});
    }

    private static Map<String, List<String>> tablesIfExternal(TestingCapstanServer server) throws Exception {
        if (server.database().kind() == TestingDatabase.Kind.H2) {
            return Map.of();
        }
        Map<String, List<String>> tables = new java.util.TreeMap<>();
        try (Connection connection = TestingDatabase.connectPostgresql();
                Statement statement = connection.createStatement()) {
            String schema = server.database().schema().orElseThrow();
            for (String table : List.of("users", "accounts", "api_tokens", "server_state")) {
                List<String> rows = new java.util.ArrayList<>();
                try (var results = statement.executeQuery("SELECT * FROM " + schema + "." + table + " ORDER BY 1")) {
                    while (results.next()) {
                        rows.add(results.getString(1) + "|" + results.getString(2));
                    }
                }
                tables.put(table, rows);
            }
        }
        return tables;
    }

    /** A table of account-owned secrets, written and read through the server's keyring. */
    private static final class Probe {
        private final TestingCapstanServer server;

        Probe(TestingCapstanServer server) {
            this.server = server;
            server.server()
                    .database()
                    .jdbi()
                    .useHandle(
                            handle -> handle.execute(
                                    "CREATE TABLE shredding_probe (account_id VARCHAR(40) PRIMARY KEY, secret BYTEA NOT NULL)"));
        }

        void store(String account, String secret) {
            Ciphertext ciphertext = server.server().keyring().encryptString(account, location(account), secret);
            server.server()
                    .database()
                    .jdbi()
                    .useHandle(handle -> handle.createUpdate(
                                    "INSERT INTO shredding_probe (account_id, secret) VALUES (:account, :secret)")
                            .bind("account", account)
                            .bind("secret", ciphertext)
                            .execute());
        }

        Optional<Ciphertext> ciphertext(String account) {
            return server.server()
                    .database()
                    .jdbi()
                    .withHandle(handle -> handle.createQuery(
                                    "SELECT secret FROM shredding_probe WHERE account_id = :account")
                            .bind("account", account)
                            .mapTo(Ciphertext.class)
                            .findOne());
        }

        String read(String account) {
            return server.server()
                    .keyring()
                    .decryptString(
                            account, location(account), ciphertext(account).orElseThrow());
        }

        boolean readable(String account) {
            try {
                return ciphertext(account).isPresent() && read(account) != null;
            } catch (CapstanException e) {
                return false;
            }
        }

        private static FieldLocation location(String account) {
            return new FieldLocation("shredding_probe", "secret", account);
        }
    }

    /** A copy of the database taken by the operator, restored later over the live one. */
    private static final class Backup {
        private final TestingCapstanServer server;
        private final Path copy;

        private Backup(TestingCapstanServer server, Path copy) {
            this.server = server;
            this.copy = copy;
        }

        static Backup take(TestingCapstanServer server) throws Exception {
            Path copy = server.root().resolve("backup");
            if (server.database().kind() == TestingDatabase.Kind.H2) {
                server.stop();
                Files.copy(DatabaseSettings.embeddedFile(server.config().dataDirectory()), copy);
                server.startAgain();
            } else {
                String schema = server.database().schema().orElseThrow();
                try (Connection connection = TestingDatabase.connectPostgresql();
                        Statement statement = connection.createStatement()) {
                    statement.execute("CREATE SCHEMA " + schema + "_backup");
                    for (String table : List.of("accounts", "memberships", "shredding_probe")) {
                        statement.execute(
                                "CREATE TABLE " + schema + "_backup." + table + " AS TABLE " + schema + "." + table);
                    }
                }
            }
            return new Backup(server, copy);
        }

        void restore() throws Exception {
            if (server.database().kind() == TestingDatabase.Kind.H2) {
                server.stop();
                Files.copy(
                        copy,
                        DatabaseSettings.embeddedFile(server.config().dataDirectory()),
                        StandardCopyOption.REPLACE_EXISTING);
                server.startAgain();
                return;
            }
            String schema = server.database().schema().orElseThrow();
            server.stop();
            try (Connection connection = TestingDatabase.connectPostgresql();
                    Statement statement = connection.createStatement()) {
                for (String table : List.of("accounts", "memberships", "shredding_probe")) {
                    statement.execute("DELETE FROM " + schema + "." + table);
                }
                for (String table : List.of("accounts", "memberships", "shredding_probe")) {
                    statement.execute(
                            "INSERT INTO " + schema + "." + table + " SELECT * FROM " + schema + "_backup." + table);
                }
                statement.execute("DROP SCHEMA " + schema + "_backup CASCADE");
            }
            server.startAgain();
        }
    }
}
