package io.capstan.server.keyring;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * An encrypted value as stored: Tink's output (key id prefix, nonce, ciphertext, tag). A type of its own so that
 * a column holding one cannot be mistaken for plaintext, and so that printing it shows nothing.
 */
public final class Ciphertext {
    private final byte[] bytes;

    private Ciphertext(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Ciphertext of(byte[] bytes) {
        return new Ciphertext(bytes.clone());
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Ciphertext that && MessageDigest.isEqual(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Ciphertext[" + bytes.length + " bytes]";
    }
}
