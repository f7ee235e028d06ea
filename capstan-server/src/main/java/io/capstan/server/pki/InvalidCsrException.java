package io.capstan.server.pki;

import static java.util.Objects.requireNonNull;

/**
 * A certificate signing request that Capstan refuses to sign: not PEM, not PKCS#10, a signature that does not verify,
 * or a key that is too weak or of an unsupported kind. The message is written for the client who sent the request
 * and is safe to show: it names the problem and never repeats the input. It carries no cause and no stack trace, so
 * nothing of Bouncy Castle's parser state can travel with it.
 */
public final class InvalidCsrException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidCsrException(String message) {
        super(requireNonNull(message, "message is null"), null, false, false);
    }
}
