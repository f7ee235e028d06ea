package io.capstan.cli;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Progress of a long operation on the terminal: one line, redrawn while it changes, until it is finished. */
final class Progress {
    private Progress() {}

    static <T> T watch(
            Terminal terminal,
            Supplier<T> poll,
            Duration interval,
            Predicate<T> finished,
            Function<T, String> describe) {
        String shown = "";
        while (true) {
            T current = poll.get();
            String line = describe.apply(current);
            if (!line.equals(shown)) {
                terminal.err().print("\r\u001b[2K" + line);
                terminal.err().flush();
                shown = line;
            }
            if (finished.test(current)) {
                terminal.err().println();
                return current;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted; the operation goes on on the server");
            }
        }
    }
}
