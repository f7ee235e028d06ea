package io.capstan.cli;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * What a command sees of the world: its environment variables, its output and error streams, and its input. Tests
 * give commands their own, so the CLI runs in-process exactly as it does from a shell.
 */
public final class Terminal {
    private final Map<String, String> environment;
    private final PrintWriter out;
    private final PrintWriter err;
    private final BufferedReader in;
    private final Optional<Console> console;

    public Terminal(
            Map<String, String> environment,
            PrintWriter out,
            PrintWriter err,
            BufferedReader in,
            Optional<Console> console) {
        this.environment = Map.copyOf(environment);
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
        this.in = requireNonNull(in, "in is null");
        this.console = requireNonNull(console, "console is null");
    }

    public static Terminal system() {
        return new Terminal(
                System.getenv(),
                new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8),
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                Optional.ofNullable(System.console()));
    }

    public Map<String, String> environment() {
        return environment;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    /**
     * Asks for a secret. On a terminal it is read without echo; otherwise the first line of standard input is
     * taken, so that scripts can pipe a token in without putting it on a command line.
     */
    public Optional<String> readSecret(String prompt) {
        if (console.isPresent()) {
            char[] secret = console.get().readPassword("%s", prompt);
            return Optional.ofNullable(secret)
                    .map(String::new)
                    .map(String::trim)
                    .filter(s -> !s.isEmpty());
        }
        try {
            return Optional.ofNullable(in.readLine()).map(String::trim).filter(s -> !s.isEmpty());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
