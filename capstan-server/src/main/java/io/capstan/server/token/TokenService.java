package io.capstan.server.token;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.api.Scope;
import io.capstan.api.token.CreateTokenRequest;
import io.capstan.api.token.CreatedToken;
import io.capstan.api.token.TokenView;
import io.capstan.server.CapstanException;
import io.capstan.server.auth.Caller;
import io.capstan.server.internal.Ids;
import io.capstan.server.internal.Names;
import io.capstan.server.internal.Secret;
import io.capstan.server.privacy.StoredData;
import io.capstan.server.user.User;
import io.capstan.server.user.UserDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Creates, lists, revokes and checks API tokens. Thread-safe. */
public final class TokenService {
    /** What this store keeps, for the privacy report. */
    public static final StoredData STORED_DATA = new StoredData(
            "API tokens",
            "A SHA-256 digest of each of your API tokens (never the token), its name, scope, expiry and last use",
            List.of("api_tokens"),
            List.of(),
            StoredData.Retention.untilDeletedByHand(),
            "SELECT COUNT(*) FROM api_tokens WHERE user_id = :user");

    static final Duration MAXIMUM_LIFETIME = Duration.ofDays(5 * 366);
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    private final Jdbi jdbi;
    private final Clock clock;

    public TokenService(Jdbi jdbi, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Creates a token for the caller. Its scope can be at most the scope of the token the caller uses. */
    public CreatedToken create(Caller caller, CreateTokenRequest request) {
        return create(caller, caller.user(), request);
    }

    /** Creates a token for another user; only server administrators may. */
    public CreatedToken createFor(Caller caller, String username, CreateTokenRequest request) {
        if (!caller.isServerAdmin()) {
            throw CapstanException.forbidden("only server administrators create tokens for other users");
        }
        User owner = jdbi.withExtension(UserDao.class, users -> users.findByUsername(username))
                .orElseThrow(() -> CapstanException.notFound("user '" + username + "'"));
        return create(caller, owner, request);
    }

    private CreatedToken create(Caller caller, User owner, CreateTokenRequest request) {
        String name = Names.requireLabel("name", request.name(), 100);
        Scope scope = request.scope().orElse(caller.scope());
        if (!caller.scope().includes(scope)) {
            throw new CapstanException(
                    ErrorCode.INSUFFICIENT_SCOPE,
                    "a token with scope '" + caller.scope().wireName() + "' cannot create one with scope '"
                            + scope.wireName() + "'",
                    Optional.of("scope"),
                    java.util.Map.of());
        }
        Instant now = clock.instant();
        Optional<Instant> expiresAt = request.expiresAt();
        if (expiresAt.isPresent()) {
            if (!expiresAt.get().isAfter(now)) {
                throw CapstanException.invalidField("expiresAt", "'expiresAt' must be in the future");
            }
            if (expiresAt.get().isAfter(now.plus(MAXIMUM_LIFETIME))) {
                throw CapstanException.invalidField("expiresAt", "'expiresAt' must be within 5 years");
            }
        }
        return jdbi.inTransaction(handle -> issue(handle, owner, name, scope, expiresAt, now));
    }

    /**
     * Issues a token inside the caller's transaction; used by the administrator bootstrap as well as by {@link
     * #create}.
     */
    public static CreatedToken issue(
            Handle handle, User owner, String name, Scope scope, Optional<Instant> expiresAt, Instant now) {
        Secret secret = TokenFormat.generate();
        ApiToken token = new ApiToken(
                Ids.newId("tok"),
                owner.id(),
                name,
                TokenFormat.displayPrefix(secret.reveal()),
                TokenFormat.hash(secret.reveal()),
                scope,
                now,
                expiresAt,
                Optional.empty(),
                Optional.empty());
        handle.attach(TokenDao.class).insert(token);
        return new CreatedToken(view(token, owner.username()), secret.reveal());
    }

    /** The caller's tokens, or, for a server administrator who names one, another user's. */
    public List<TokenView> list(Caller caller, Optional<String> username) {
        return jdbi.withHandle(handle -> {
            User owner = caller.user();
            if (username.isPresent() && !username.get().equals(owner.username())) {
                if (!caller.isServerAdmin()) {
                    throw CapstanException.notFound("user '" + username.get() + "'");
                }
                owner = handle.attach(UserDao.class)
                        .findByUsername(username.get())
                        .orElseThrow(() -> CapstanException.notFound("user '" + username.get() + "'"));
            }
            String ownerName = owner.username();
            return handle.attach(TokenDao.class).listByUser(owner.id()).stream()
                    .map(token -> view(token, ownerName))
                    .toList();
        });
    }

    /** Revokes one of the caller's tokens (a server administrator may revoke anyone's). Takes effect at once. */
    public TokenView revoke(Caller caller, String tokenId) {
        return jdbi.inTransaction(handle -> {
            TokenDao tokens = handle.attach(TokenDao.class);
            ApiToken token = Optional.of(tokenId)
                    .filter(id -> Ids.looksLike("tok", id))
                    .flatMap(tokens::findById)
                    .filter(found -> found.userId().equals(caller.userId()) || caller.isServerAdmin())
                    .orElseThrow(() -> CapstanException.notFound("token '" + tokenId + "'"));
            tokens.revoke(token.id(), clock.instant());
            ApiToken revoked = tokens.findById(token.id()).orElseThrow();
            String owner = handle.attach(UserDao.class)
                    .findById(revoked.userId())
                    .map(User::username)
                    .orElseThrow();
            return view(revoked, owner);
        });
    }

    /**
     * The caller a well-formed token stands for, or a refusal saying why: unknown, expired or revoked. Records the
     * use.
     */
    public Caller authenticate(String wellFormedToken) {
        Instant now = clock.instant();
        return jdbi.withHandle(handle -> {
            TokenDao tokens = handle.attach(TokenDao.class);
            ApiToken token = tokens.findByHash(TokenFormat.hash(wellFormedToken))
                    .orElseThrow(() -> new CapstanException(ErrorCode.TOKEN_INVALID, "the token is not known"));
            if (token.revokedAt().isPresent()) {
                throw new CapstanException(ErrorCode.TOKEN_REVOKED, "the token was revoked");
            }
            if (token.isExpired(now)) {
                throw new CapstanException(ErrorCode.TOKEN_EXPIRED, "the token has expired");
            }
            User user = handle.attach(UserDao.class)
                    .findById(token.userId())
                    .orElseThrow(() -> new CapstanException(ErrorCode.TOKEN_INVALID, "the token is not known"));
            tokens.touch(token.id(), now, now.minus(LAST_USED_RESOLUTION));
            return new Caller(user, token.id(), token.name(), token.scope(), token.expiresAt());
        });
    }

    static TokenView view(ApiToken token, String username) {
        return new TokenView(
                token.id(),
                token.name(),
                token.prefix(),
                username,
                token.scope(),
                token.createdAt(),
                token.expiresAt(),
                token.lastUsedAt(),
                token.revokedAt());
    }
}
