package io.capstan.server.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Signalling process groups. A cluster process found in {@code /proc} in the instant after it started and before
 * {@code setsid} gave it its own group is still in the control plane's group: signalling "its" group once took the
 * whole control plane (and the test run around it) down. That group, and 0 and 1, are never signalled.
 */
class TestProcessTable {
    @Test
    void theControlPlanesOwnGroupAndTheSpecialGroupsAreNeverSignalled() throws Exception {
        long own = Long.parseLong(run(
                "ps", "-o", "pgid=", "-p", Long.toString(ProcessHandle.current().pid())));

        assertThat(ProcessTable.maySignal(own)).isFalse();
        assertThat(ProcessTable.maySignal(0)).isFalse();
        assertThat(ProcessTable.maySignal(1)).isFalse();
        ProcessTable.signalGroup(own, "TERM"); // would end this test run, were it sent
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void aClusterProcessGroupIsSignalledWhole() throws Exception {
        Process leader = new ProcessBuilder("/usr/bin/setsid", "/bin/sh", "-c", "sleep 60 & sleep 60").start();
        try {
            long group = leader.pid();
            waitUntil(() -> run("pgrep", "-g", Long.toString(group)).lines().count() >= 2);
            assertThat(ProcessTable.maySignal(group)).isTrue();

            ProcessTable.signalGroup(group, "TERM");

            assertThat(leader.waitFor(10, TimeUnit.SECONDS)).isTrue();
            waitUntil(() -> run("pgrep", "-g", Long.toString(group)).isBlank());
        } finally {
            leader.destroyForcibly();
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitUntil(Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(50);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        process.waitFor();
        return output;
    }
}
