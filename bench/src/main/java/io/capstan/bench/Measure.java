package io.capstan.bench;

import java.time.Duration;

/** Runs an operation repeatedly for a fixed time on one thread and reports operations per second. */
final class Measure {
    private Measure() {}

    interface Operation {
        void run() throws Exception;
    }

    static double perSecond(Duration warmup, Duration measure, Operation operation) throws Exception {
        long warmupEnd = System.nanoTime() + warmup.toNanos();
        while (System.nanoTime() < warmupEnd) {
            operation.run();
        }
        long operations = 0;
        long start = System.nanoTime();
        long end = start + measure.toNanos();
        long now = start;
        while (now < end) {
            operation.run();
            operations++;
            now = System.nanoTime();
        }
        return operations / ((now - start) / 1e9);
    }
}
