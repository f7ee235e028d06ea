package io.capstan.server.testing.aws;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/** The faults a test has asked a wire stub to produce: errors for the next calls, and a delay before each answer. */
final class InjectedFaults<F> {
    private final Deque<F> failures = new ArrayDeque<>();
    private Duration delay = Duration.ZERO;

    synchronized void failNextCalls(int calls, F failure) {
        requireNonNull(failure, "failure is null");
        if (calls < 0) {
            throw new IllegalArgumentException("calls is negative: " + calls);
        }
        for (int i = 0; i < calls; i++) {
            failures.addLast(failure);
        }
    }

    synchronized Optional<F> takeFailure() {
        return Optional.ofNullable(failures.pollFirst());
    }

    synchronized void delayAnswers(Duration delay) {
        requireNonNull(delay, "delay is null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay is negative: " + delay);
        }
        this.delay = delay;
    }

    synchronized Duration delay() {
        return delay;
    }
}
