package io.capstan.client;

/** The server could not be reached, or broke the connection. */
public final class CapstanConnectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CapstanConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
