package io.capstan.server.user;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Scope;
import io.capstan.api.token.CreatedToken;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.store.Database;
import io.capstan.server.token.TokenService;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Creates the first administrator, once per installation. The marker row in {@code server_state} is written in
 * the same transaction as the user and its token, and its primary key makes a second server starting at the same
 * moment fail instead of creating a second administrator.
 */
public final class AdministratorBootstrap {
    public static final String ADMINISTRATOR = "admin";
    private static final String MARKER = "administrator-bootstrapped";

    private final Jdbi jdbi;
    private final Keyring keyring;
    private final Clock clock;

    public AdministratorBootstrap(Jdbi jdbi, Keyring keyring, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.keyring = requireNonNull(keyring, "keyring is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The bootstrap token, if this call created the administrator; empty on every later start. */
    public Optional<CreatedToken> bootstrapIfNeeded() {
        Instant now = clock.instant();
        try {
            return jdbi.inTransaction(handle -> {
                boolean done = handle.createQuery("SELECT count(*) FROM server_state WHERE name = :name")
                                .bind("name", MARKER)
                                .mapTo(Long.class)
                                .one()
                        > 0;
                if (done) {
                    return Optional.empty();
                }
                handle.createUpdate("INSERT INTO server_state (name, state, created_at) VALUES (:name, :state, :now)")
                        .bind("name", MARKER)
                        .bind("state", "done")
                        .bind("now", now)
                        .execute();
                User administrator = UserService.newUser(keyring, ADMINISTRATOR, "admin@localhost", true, now);
                handle.attach(UserDao.class).insert(administrator);
                return Optional.of(
                        TokenService.issue(handle, administrator, "bootstrap", Scope.ADMIN, Optional.empty(), now));
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
