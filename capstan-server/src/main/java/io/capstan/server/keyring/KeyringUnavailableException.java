package io.capstan.server.keyring;

/**
 * The keyring cannot be opened: the master key is missing, wrong, or does not match the data. The server refuses
 * to start with this message, which says which key source was tried and what to do.
 */
public final class KeyringUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KeyringUnavailableException(String message) {
        super(message);
    }
}
