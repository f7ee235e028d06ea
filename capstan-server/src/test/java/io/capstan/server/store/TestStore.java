package io.capstan.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.server.account.Account;
import io.capstan.server.account.AccountDao;
import io.capstan.server.account.Membership;
import io.capstan.server.internal.Ids;
import io.capstan.server.keyring.Ciphertext;
import io.capstan.server.keyring.KeyFileMasterKeySource;
import io.capstan.server.keyring.KeyStore;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import io.capstan.server.token.ApiToken;
import io.capstan.server.token.TokenDao;
import io.capstan.server.user.EncryptEmailsMigration;
import io.capstan.server.user.User;
import io.capstan.server.user.UserDao;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.api.migration.JavaMigration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The DAOs against both databases, directly, with the migrations applied by {@link Database#open}. */
class TestStore {
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private static final Ciphertext EMAIL = Ciphertext.of(new byte[] {1, 2, 3});

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void usersAccountsAndMembershipsRoundTrip(TestingDatabase.Kind kind) throws Exception {
        try (Store store = Store.open(kind)) {
            UserDao users = store.database.jdbi().onDemand(UserDao.class);
            AccountDao accounts = store.database.jdbi().onDemand(AccountDao.class);
            User alice = new User(Ids.newId("usr"), "alice", EMAIL, false, NOW);
            Account team = new Account(Ids.newId("acc"), "team-a", NOW, 5, 20, 40);

            users.insert(alice);
            accounts.insert(team);
            accounts.insertMembership(team.id(), alice.id(), Role.ADMIN, NOW);

            assertThat(users.findByUsername("alice")).contains(alice);
            assertThat(accounts.findByName("team-a")).contains(team);
            assertThat(accounts.membershipsOf(alice.id()))
                    .containsExactly(new Membership(team.id(), "team-a", alice.id(), "alice", Role.ADMIN, NOW));
            assertThat(accounts.updateRole(team.id(), alice.id(), Role.MEMBER)).isEqualTo(1);
            assertThat(accounts.members(team.id())).extracting(Membership::role).containsExactly(Role.MEMBER);
            assertThat(accounts.deleteMembership(team.id(), alice.id())).isEqualTo(1);
            assertThat(accounts.listForUser(alice.id())).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void uniqueNamesAreEnforcedByTheDatabase(TestingDatabase.Kind kind) throws Exception {
        try (Store store = Store.open(kind)) {
            UserDao users = store.database.jdbi().onDemand(UserDao.class);
            users.insert(new User(Ids.newId("usr"), "alice", EMAIL, false, NOW));

            assertThatThrownBy(() -> users.insert(new User(Ids.newId("usr"), "alice", EMAIL, false, NOW)))
                    .satisfies(e -> assertThat(Database.isUniqueViolation(e)).isTrue());
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void tokensAreRevokedOnceAndTouchedAtMostOncePerMinute(TestingDatabase.Kind kind) throws Exception {
        try (Store store = Store.open(kind)) {
            UserDao users = store.database.jdbi().onDemand(UserDao.class);
            TokenDao tokens = store.database.jdbi().onDemand(TokenDao.class);
            User alice = new User(Ids.newId("usr"), "alice", EMAIL, false, NOW);
            ApiToken token = new ApiToken(
                    Ids.newId("tok"),
                    alice.id(),
                    "laptop",
                    "capstan_abcdef",
                    "f".repeat(64),
                    Scope.READ,
                    NOW,
                    Optional.of(NOW.plus(Duration.ofDays(1))),
                    Optional.empty(),
                    Optional.empty());
            users.insert(alice);
            tokens.insert(token);

            assertThat(tokens.findByHash("f".repeat(64))).contains(token);
            Instant later = NOW.plusSeconds(30);
            assertThat(tokens.touch(token.id(), NOW, NOW.minusSeconds(60))).isEqualTo(1);
            assertThat(tokens.touch(token.id(), later, later.minusSeconds(60))).isEqualTo(0);
            assertThat(tokens.revoke(token.id(), later)).isEqualTo(1);
            assertThat(tokens.revoke(token.id(), later.plusSeconds(1))).isEqualTo(0);
            ApiToken stored = tokens.findById(token.id()).orElseThrow();
            assertThat(stored.revokedAt()).contains(later);
            assertThat(stored.lastUsedAt()).contains(NOW);
            assertThat(stored.expiresAt()).contains(NOW.plus(Duration.ofDays(1)));
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void migrationsApplyOnceAndReopeningChangesNothing(TestingDatabase.Kind kind) throws Exception {
        try (Store store = Store.open(kind)) {
            store.database.close();
            try (Database again = Database.connect(store.settings)) {
                again.migrate(store.javaMigrations());
                long applied = again.jdbi()
                        .withHandle(
                                handle -> handle.createQuery("SELECT count(*) FROM flyway_schema_history WHERE success")
                                        .mapTo(Long.class)
                                        .one());
                assertThat(applied).isPositive();
                assertThat(again.kind().name()).isEqualTo(kind.name());
            }
        }
    }

    /** A migrated database of either kind, and what it takes to open it again. */
    private static final class Store implements AutoCloseable {
        private final Path directory;
        private final TestingDatabase testing;
        private final DatabaseSettings settings;
        private final Database database;

        private final Keyring keyring;

        private Store(Path directory, TestingDatabase testing, DatabaseSettings settings, Keyring keyring) {
            this.directory = directory;
            this.testing = testing;
            this.settings = settings;
            this.keyring = keyring;
            this.database = Database.connect(settings);
            database.migrate(javaMigrations());
        }

        List<JavaMigration> javaMigrations() {
            return List.of(new EncryptEmailsMigration(keyring));
        }

        static Store open(TestingDatabase.Kind kind) throws Exception {
            Path directory = Files.createTempDirectory("capstan-store");
            TestingDatabase testing = TestingDatabase.create(kind);
            Keyring keyring = Keyring.open(
                    new KeyFileMasterKeySource(directory.resolve("master-key.json")),
                    new KeyStore(directory.resolve("keyring")),
                    false);
            DatabaseSettings settings = testing.serverUrl()
                    .map(DatabaseSettings::external)
                    .orElseGet(() -> DatabaseSettings.embedded(directory, keyring.databasePassword()));
            return new Store(directory, testing, settings, keyring);
        }

        @Override
        public void close() {
            database.close();
            testing.close();
            TestingCapstanServer.deleteRecursively(directory);
        }
    }
}
