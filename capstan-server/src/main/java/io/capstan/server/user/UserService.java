package io.capstan.server.user;

import static java.util.Objects.requireNonNull;

import io.capstan.api.user.CreateUserRequest;
import io.capstan.api.user.Me;
import io.capstan.api.user.MembershipView;
import io.capstan.api.user.UserView;
import io.capstan.server.CapstanException;
import io.capstan.server.account.AccountDao;
import io.capstan.server.auth.Caller;
import io.capstan.server.internal.Ids;
import io.capstan.server.internal.Names;
import io.capstan.server.keyring.EncryptedColumn;
import io.capstan.server.keyring.FieldLocation;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.privacy.StoredData;
import io.capstan.server.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Users: who they are and what they belong to. Thread-safe. */
public final class UserService {
    private final Jdbi jdbi;
    private final Keyring keyring;
    private final Clock clock;

    public UserService(Jdbi jdbi, Keyring keyring, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.keyring = requireNonNull(keyring, "keyring is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The encrypted columns of users, for data key rotation. */
    public static final List<EncryptedColumn> ENCRYPTED_COLUMNS =
            List.of(new EncryptedColumn("users", "id", "email_ciphertext", "id", "email"));

    /** What this store keeps about people, for the privacy report. */
    public static final StoredData STORED_DATA = new StoredData(
            "User profile",
            "Your username, email address, whether you are a server administrator, when you were created",
            List.of("users"),
            ENCRYPTED_COLUMNS,
            StoredData.Retention.untilDeletedByHand(),
            "SELECT COUNT(*) FROM users WHERE id = :user");

    /** Where a user's email lives, for the keyring: bound into its ciphertext. */
    static FieldLocation emailLocation(String userId) {
        return ENCRYPTED_COLUMNS.get(0).location(userId);
    }

    /** A new user, its email encrypted under its own data key. */
    static User newUser(Keyring keyring, String username, String email, boolean serverAdmin, Instant now) {
        String id = Ids.newId("usr");
        return new User(id, username, keyring.encryptString(id, emailLocation(id), email), serverAdmin, now);
    }

    public Me me(Caller caller) {
        UserView user = jdbi.withHandle(handle -> view(handle, caller.user()));
        return new Me(user, caller.tokenId(), caller.tokenName(), caller.scope(), caller.tokenExpiresAt());
    }

    public UserView create(Caller caller, CreateUserRequest request) {
        requireServerAdmin(caller);
        String username = Names.requireSlug("username", request.username());
        String email = Names.requireEmail("email", request.email());
        try {
            return jdbi.inTransaction(handle -> {
                UserDao users = handle.attach(UserDao.class);
                if (users.findByUsername(username).isPresent()) {
                    throw CapstanException.alreadyExists("user '" + username + "' already exists");
                }
                User user = newUser(keyring, username, email, request.serverAdmin(), clock.instant());
                users.insert(user);
                return view(handle, user);
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw CapstanException.alreadyExists("user '" + username + "' already exists");
            }
            throw e;
        }
    }

    public List<UserView> list(Caller caller) {
        requireServerAdmin(caller);
        return jdbi.withHandle(handle -> handle.attach(UserDao.class).list().stream()
                .map(user -> view(handle, user))
                .toList());
    }

    private static void requireServerAdmin(Caller caller) {
        if (!caller.isServerAdmin()) {
            throw CapstanException.forbidden("only server administrators manage users");
        }
    }

    private UserView view(Handle handle, User user) {
        List<MembershipView> memberships = handle.attach(AccountDao.class).membershipsOf(user.id()).stream()
                .map(membership -> new MembershipView(membership.accountName(), membership.role()))
                .toList();
        String email = keyring.decryptString(user.id(), emailLocation(user.id()), user.emailCiphertext());
        return new UserView(user.id(), user.username(), email, user.serverAdmin(), user.createdAt(), memberships);
    }
}
