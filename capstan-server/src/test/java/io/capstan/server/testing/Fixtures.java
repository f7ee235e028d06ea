package io.capstan.server.testing;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.account.CreateAccountRequest;
import io.capstan.api.token.CreateTokenRequest;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import java.time.Instant;
import java.util.Optional;

/** Users, accounts and tokens for tests, made through the API as an administrator would. */
public final class Fixtures {
    private Fixtures() {}

    /** The refusal {@code call} ends with; fails if it succeeds or fails otherwise. */
    public static CapstanApiException refusal(Runnable call) {
        try {
            call.run();
        } catch (CapstanApiException e) {
            return e;
        }
        throw new AssertionError("the call was expected to be refused, and it succeeded");
    }

    public static void user(CapstanClient admin, String username) {
        admin.createUser(new io.capstan.api.user.CreateUserRequest(username, username + "@example.com", false));
    }

    public static void account(CapstanClient admin, String name) {
        admin.createAccount(new CreateAccountRequest(name));
    }

    public static void member(CapstanClient admin, String account, String username, Role role) {
        admin.setMember(account, username, role);
    }

    public static String token(CapstanClient admin, String username, Scope scope) {
        return token(admin, username, scope, Optional.empty());
    }

    public static String token(CapstanClient admin, String username, Scope scope, Optional<Instant> expiresAt) {
        return admin.createTokenFor(username, new CreateTokenRequest("test", Optional.of(scope), expiresAt))
                .secret();
    }

    /** A new user with a token of {@code scope}, as a client. */
    public static CapstanClient userClient(CapstanClient admin, String username, Scope scope) {
        user(admin, username);
        return admin.withToken(token(admin, username, scope));
    }
}
