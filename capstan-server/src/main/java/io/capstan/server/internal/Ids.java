package io.capstan.server.internal;

import java.security.SecureRandom;

/**
 * Generated identifiers: a short prefix naming the kind of thing, then 20 characters of lowercase base32 (100
 * random bits). They are safe as file names, DNS labels and process arguments, which is why on-disk and
 * in-infrastructure names are always these ids and never names users chose.
 */
public final class Ids {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int LENGTH = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String newId(String prefix) {
        StringBuilder id =
                new StringBuilder(prefix.length() + 1 + LENGTH).append(prefix).append('_');
        for (int i = 0; i < LENGTH; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }

    /** Whether {@code id} has the shape of an id of this kind; anything else cannot exist and is not looked up. */
    public static boolean looksLike(String prefix, String id) {
        if (id == null || id.length() != prefix.length() + 1 + LENGTH || !id.startsWith(prefix + "_")) {
            return false;
        }
        for (int i = prefix.length() + 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) {
                return false;
            }
        }
        return true;
    }
}
