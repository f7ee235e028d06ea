package io.capstan.api.token;

/** The one answer that carries a token in full. It is never shown again. */
public record CreatedToken(TokenView token, String secret) {
    @Override
    public String toString() {
        return "CreatedToken[token=" + token + ", secret=<hidden>]";
    }
}
