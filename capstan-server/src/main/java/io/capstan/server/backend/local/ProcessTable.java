package io.capstan.server.backend.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of this machine that belong to this installation's clusters, found through {@code /proc}: each
 * carries {@code CAPSTAN_INSTALLATION}, {@code CAPSTAN_CLUSTER_ID} and {@code CAPSTAN_NODE} in its environment,
 * and so does everything it starts. This is how a control plane that was killed finds its clusters again, even
 * processes it started a moment before it died and never recorded.
 */
public final class ProcessTable {
    private static final Path PROC = Path.of("/proc");
    private static final long PAGE_SIZE = 4096;
    private static final Logger log = LoggerFactory.getLogger(ProcessTable.class);
    private static final long OWN_PROCESS_GROUP =
            processGroupOf(PROC.resolve("self")).orElse(-1L);

    private ProcessTable() {}

    /** A process of a cluster: its id, its process group, and which cluster and node it belongs to. */
    public record MarkedProcess(long pid, long processGroup, String clusterId, String node) {
        public boolean isGroupLeader() {
            return pid == processGroup;
        }
    }

    public static List<MarkedProcess> scan(String installation) {
        List<MarkedProcess> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(
                PROC, path -> isNumeric(path.getFileName().toString()))) {
            for (Path entry : entries) {
                read(entry, installation).ifPresent(found::add);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return List.copyOf(found);
    }

    private static Optional<MarkedProcess> read(Path entry, String installation) {
        try {
            Map<String, String> environment = environment(Files.readAllBytes(entry.resolve("environ")));
            if (!installation.equals(environment.get(DaskCommands.INSTALLATION_VARIABLE))) {
                return Optional.empty();
            }
            String[] fields = statFields(entry);
            if (fields[0].equals("Z")) {
                return Optional.empty();
            }
            long pid = Long.parseLong(entry.getFileName().toString());
            return Optional.of(new MarkedProcess(
                    pid,
                    Long.parseLong(fields[2]),
                    environment.getOrDefault(DaskCommands.CLUSTER_VARIABLE, ""),
                    environment.getOrDefault(DaskCommands.NODE_VARIABLE, "")));
        } catch (IOException | RuntimeException e) {
            // Gone meanwhile, or another user's process: not one of ours.
            return Optional.empty();
        }
    }

    /** The fields of {@code /proc/PID/stat} after the command name, from the state on. */
    private static String[] statFields(Path entry) throws IOException {
        String stat = Files.readString(entry.resolve("stat"), StandardCharsets.US_ASCII);
        // The command name is in parentheses and may contain anything; the fields after it are plain.
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
    }

    private static Optional<Long> processGroupOf(Path entry) {
        try {
            return Optional.of(Long.parseLong(statFields(entry)[2]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> environment(byte[] raw) {
        Map<String, String> environment = new HashMap<>();
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i > start) {
                    String entry = new String(raw, start, i - start, StandardCharsets.UTF_8);
                    int equals = entry.indexOf('=');
                    if (equals > 0 && entry.startsWith("CAPSTAN_")) {
                        environment.put(entry.substring(0, equals), entry.substring(equals + 1));
                    }
                }
                start = i + 1;
            }
        }
        return environment;
    }

    private static boolean isNumeric(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The resident memory of a process in bytes, or zero if it is gone. */
    static long residentBytes(long pid) {
        try {
            String[] fields = Files.readString(
                            PROC.resolve(Long.toString(pid)).resolve("statm"), StandardCharsets.US_ASCII)
                    .trim()
                    .split(" ", -1);
            return Long.parseLong(fields[1]) * PAGE_SIZE;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Whether a process group may be signalled: not 0 or 1, and not the control plane's own. */
    static boolean maySignal(long processGroup) {
        return processGroup > 1 && processGroup != OWN_PROCESS_GROUP;
    }

    /**
     * Sends {@code signal} (TERM or KILL) to a whole process group, through {@code /bin/kill}; never a shell. Never
     * to the control plane's own group (nor to group 0 or 1, which mean "the caller's" and "init" to kill): a cluster
     * process seen before it left that group must not take the control plane down with it.
     */
    static void signalGroup(long processGroup, String signal) {
        if (!maySignal(processGroup)) {
            log.warn(
                    "not signalling process group {}: it is the control plane's own (a cluster process seen before it"
                            + " had its own group); it is stopped by its process id instead",
                    processGroup);
            return;
        }
        try {
            Process kill = new ProcessBuilder("/bin/kill", "-s", signal, "--", "-" + processGroup)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            kill.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run /bin/kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
