package io.capstan.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

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

    /** The spread of timings of one thing measured several times. Percentiles are by nearest rank. */
    record Timings(int count, Duration min, Duration median, Duration p95, Duration p99, Duration max, Duration total) {
        static Timings of(List<Duration> samples) {
            if (samples.isEmpty()) {
                throw new IllegalArgumentException("no samples");
            }
            List<Duration> sorted = samples.stream().sorted().toList();
            int count = sorted.size();
            Duration median = count % 2 == 1
                    ? sorted.get(count / 2)
                    : sorted.get(count / 2 - 1).plus(sorted.get(count / 2)).dividedBy(2);
            Duration total = sorted.stream().reduce(Duration.ZERO, Duration::plus);
            return new Timings(
                    count,
                    sorted.get(0),
                    median,
                    percentile(sorted, 0.95),
                    percentile(sorted, 0.99),
                    sorted.get(count - 1),
                    total);
        }

        private static Duration percentile(List<Duration> sorted, double fraction) {
            return sorted.get((int) Math.ceil(fraction * sorted.size()) - 1);
        }

        double perSecond() {
            return count / (total.toNanos() / 1e9);
        }
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.2f s", duration.toNanos() / 1e9);
    }

    static String milliseconds(Duration duration) {
        return String.format(Locale.ROOT, "%.2f ms", duration.toNanos() / 1e6);
    }

    /** The processors and the one-minute load average, so a reader can tell a quiet machine from a busy one. */
    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " CPUs, load average " + loadAverage();
    }

    static String loadAverage() {
        return String.format(
                Locale.ROOT,
                "%.2f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
