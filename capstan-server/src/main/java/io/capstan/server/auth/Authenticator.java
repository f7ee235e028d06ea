package io.capstan.server.auth;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.server.CapstanException;
import io.capstan.server.token.TokenFormat;
import io.capstan.server.token.TokenService;
import java.util.Optional;

/**
 * Turns an {@code Authorization} header into a {@link Caller}, or refuses with the reason. The token's shape and
 * checksum are checked before anything is looked up, so a mistyped token costs no database round trip.
 */
public final class Authenticator {
    private final TokenService tokens;

    public Authenticator(TokenService tokens) {
        this.tokens = requireNonNull(tokens, "tokens is null");
    }

    public Caller authenticate(Optional<String> authorization) {
        if (authorization.isEmpty() || authorization.get().isBlank()) {
            throw new CapstanException(
                    ErrorCode.UNAUTHENTICATED,
                    "this route needs an API token: send 'Authorization: Bearer capstan_...' (see capstan login)");
        }
        String token = TokenFormat.fromBearer(authorization.get())
                .orElseThrow(() -> new CapstanException(
                        ErrorCode.MALFORMED_AUTHORIZATION,
                        "the Authorization header must be 'Bearer ' followed by a token"));
        if (!TokenFormat.isWellFormed(token)) {
            throw new CapstanException(
                    ErrorCode.TOKEN_INVALID,
                    "the token is not a Capstan token or is mistyped (its checksum does not match)");
        }
        return tokens.authenticate(token);
    }
}
