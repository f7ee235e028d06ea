package io.capstan.cli;

/** A failure the CLI explains in one line, without a stack trace. */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }
}
