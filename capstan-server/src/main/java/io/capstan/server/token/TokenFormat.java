package io.capstan.server.token;

import io.capstan.server.internal.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The shape of an API token: {@code capstan_}, 32 random base62 characters (190 bits), then a 6-character base62
 * CRC32 of everything before it. The fixed prefix lets secret scanners recognise a leaked token; the checksum
 * rejects a mistyped or truncated one before any database lookup. Only {@link #hash(String)} is ever stored: a
 * fast hash is right here because the token is random, not a password.
 */
public final class TokenFormat {
    public static final String PREFIX = "capstan_";
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int RANDOM_LENGTH = 32;
    private static final int CHECKSUM_LENGTH = 6;
    /** How many characters of a token are kept to show it in lists: the prefix and 6 random characters. */
    private static final int DISPLAY_LENGTH = PREFIX.length() + 6;

    public static final int LENGTH = PREFIX.length() + RANDOM_LENGTH + CHECKSUM_LENGTH;

    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFormat() {}

    public static Secret generate() {
        StringBuilder token = new StringBuilder(LENGTH).append(PREFIX);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            token.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        token.append(checksum(token));
        return new Secret(token.toString());
    }

    /** Whether {@code candidate} is a well-formed token with a correct checksum. Touches no database. */
    public static boolean isWellFormed(String candidate) {
        if (candidate == null || candidate.length() != LENGTH || !candidate.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            if (ALPHABET.indexOf(candidate.charAt(i)) < 0) {
                return false;
            }
        }
        String body = candidate.substring(0, LENGTH - CHECKSUM_LENGTH);
        return MessageDigest.isEqual(
                checksum(body).getBytes(StandardCharsets.US_ASCII),
                candidate.substring(LENGTH - CHECKSUM_LENGTH).getBytes(StandardCharsets.US_ASCII));
    }

    /** The part of a token that is kept and shown in lists, for example {@code capstan_Xy12Ab}. */
    public static String displayPrefix(String token) {
        return token.substring(0, DISPLAY_LENGTH);
    }

    /** The lowercase hex SHA-256 of the token, the only form in which the server keeps it. */
    public static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The token in an {@code Authorization: Bearer} value, if the value has that shape at all. */
    public static Optional<String> fromBearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String[] parts = authorization.trim().split(" +", -1);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer") || parts[1].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parts[1]);
    }

    private static String checksum(CharSequence body) {
        CRC32 crc = new CRC32();
        crc.update(body.toString().getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] digits = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            digits[i] = ALPHABET.charAt((int) (value % ALPHABET.length()));
            value /= ALPHABET.length();
        }
        return new String(digits);
    }
}
