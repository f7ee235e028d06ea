package io.capstan.server.auth;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down token guessing: after {@code limit} failed authentications from one client address within {@code
 * window}, every request from that address that needs a token is refused until the window has passed. Thread-safe.
 * The table of addresses is bounded, so a flood of distinct addresses cannot exhaust memory; when it is full the
 * oldest windows are forgotten first.
 */
public final class AuthFailureLimiter {
    static final int MAX_TRACKED_ADDRESSES = 10_000;

    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final LinkedHashMap<String, Window> windows = new LinkedHashMap<>();

    public AuthFailureLimiter(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.window = requireNonNull(window, "window is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** How long {@code address} must wait before it may try again, if it is being refused now. */
    public synchronized Optional<Duration> retryAfter(String address) {
        Instant now = clock.instant();
        Window current = windows.get(address);
        if (current == null || current.hasEnded(now, window)) {
            return Optional.empty();
        }
        if (current.failures < limit) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, current.start.plus(window)));
    }

    public synchronized void recordFailure(String address) {
        Instant now = clock.instant();
        Window current = windows.get(address);
        if (current == null || current.hasEnded(now, window)) {
            windows.remove(address);
            evictIfFull(now);
            windows.put(address, new Window(now, 1));
        } else {
            current.failures++;
        }
    }

    private void evictIfFull(Instant now) {
        if (windows.size() < MAX_TRACKED_ADDRESSES) {
            return;
        }
        windows.values().removeIf(entry -> entry.hasEnded(now, window));
        Iterator<Map.Entry<String, Window>> oldest = windows.entrySet().iterator();
        while (windows.size() >= MAX_TRACKED_ADDRESSES && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    private static final class Window {
        private final Instant start;
        private int failures;

        private Window(Instant start, int failures) {
            this.start = start;
            this.failures = failures;
        }

        private boolean hasEnded(Instant now, Duration length) {
            return !now.isBefore(start.plus(length));
        }
    }
}
