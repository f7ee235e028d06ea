package io.capstan.server.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestTokenFormat {
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    @Test
    void tokensHaveThePrefixTheLengthAndACorrectChecksum() {
        String token = TokenFormat.generate().reveal();

        assertThat(token).startsWith("capstan_").hasSize(TokenFormat.LENGTH).matches("capstan_[0-9A-Za-z]{38}");
        assertThat(TokenFormat.isWellFormed(token)).isTrue();
        assertThat(TokenFormat.displayPrefix(token)).isEqualTo(token.substring(0, 14));
    }

    @Test
    void theRandomPartCarriesAtLeast160Bits() {
        // 32 characters drawn uniformly from 62: log2(62^32) is about 190.5 bits.
        double bits = 32 * Math.log(62) / Math.log(2);
        assertThat(bits).isGreaterThanOrEqualTo(160);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(TokenFormat.generate().reveal())).isTrue();
        }
    }

    @Test
    void everySingleCharacterTypoIsRejected() {
        String token = TokenFormat.generate().reveal();
        for (int position = "capstan_".length(); position < token.length(); position++) {
            for (int index = 0; index < ALPHABET.length(); index++) {
                char replacement = ALPHABET.charAt(index);
                if (replacement == token.charAt(position)) {
                    continue;
                }
                String typo = token.substring(0, position) + replacement + token.substring(position + 1);
                assertThat(TokenFormat.isWellFormed(typo)).as(typo).isFalse();
            }
        }
    }

    @Test
    void truncatedExtendedAndForeignTokensAreRejected() {
        String token = TokenFormat.generate().reveal();

        assertThat(TokenFormat.isWellFormed(token.substring(0, token.length() - 1)))
                .isFalse();
        assertThat(TokenFormat.isWellFormed(token + "0")).isFalse();
        assertThat(TokenFormat.isWellFormed("ghp_" + token.substring(8))).isFalse();
        assertThat(TokenFormat.isWellFormed(token.replace("capstan_", "CAPSTAN_")))
                .isFalse();
        assertThat(TokenFormat.isWellFormed("capstan_" + "é".repeat(38))).isFalse();
        assertThat(TokenFormat.isWellFormed("")).isFalse();
        assertThat(TokenFormat.isWellFormed(null)).isFalse();
    }

    @Test
    void theStoredHashIsSha256AndNotTheToken() {
        String token = TokenFormat.generate().reveal();

        assertThat(TokenFormat.hash(token)).hasSize(64).matches("[0-9a-f]{64}").doesNotContain(token.substring(8));
        assertThat(TokenFormat.hash(token)).isEqualTo(TokenFormat.hash(token));
    }

    @Test
    void bearerHeadersAreParsedStrictly() {
        assertThat(TokenFormat.fromBearer("Bearer abc")).contains("abc");
        assertThat(TokenFormat.fromBearer("bearer abc")).contains("abc");
        assertThat(TokenFormat.fromBearer("Basic abc")).isEmpty();
        assertThat(TokenFormat.fromBearer("Bearer")).isEmpty();
        assertThat(TokenFormat.fromBearer("Bearer a b")).isEmpty();
        assertThat(TokenFormat.fromBearer("abc")).isEmpty();
    }
}
