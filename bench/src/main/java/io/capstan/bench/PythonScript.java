package io.capstan.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Python script run by Debian's interpreter as a process of its own, in its own folder, with no {@code DASK_},
 * {@code CAPSTAN_} or {@code PYTHON} variable of ours. The script reports progress in lines of its own, {@code
 * IMPORTED} once Dask is imported and {@code RESULT value} once it has its answer; the moment each line arrives here
 * is recorded, so the process's exit and cleanup are not part of what is measured.
 */
final class PythonScript implements AutoCloseable {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String IMPORTED = "IMPORTED";
    private static final String RESULT = "RESULT";

    private final Process process;
    private final long startedAt;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Marker> markers = new ConcurrentHashMap<>();
    private final Thread reader;

    private record Marker(long at, String value) {}

    /** The moments, in {@link System#nanoTime()}, at which the script started and printed its marker lines. */
    record Finished(long startedAt, long importedAt, long resultAt, String result) {}

    private PythonScript(Process process, long startedAt) {
        this.process = process;
        this.startedAt = startedAt;
        this.reader = new Thread(this::read, "python-output-" + process.pid());
        this.reader.setDaemon(true);
    }

    static PythonScript start(Path folder, String script) throws IOException {
        Path file = Files.writeString(folder.resolve("script.py"), script);
        ProcessBuilder builder = new ProcessBuilder(PYTHON, file.toString())
                .directory(folder.toFile())
                .redirectErrorStream(true);
        builder.environment()
                .keySet()
                .removeIf(name -> name.startsWith("DASK_") || name.startsWith("CAPSTAN_") || name.startsWith("PYTHON"));
        builder.environment().putAll(Map.of("HOME", folder.toString(), "DASK_CONFIG", folder.toString()));
        long startedAt = System.nanoTime();
        PythonScript running = new PythonScript(builder.start(), startedAt);
        running.reader.start();
        return running;
    }

    private void read() {
        try (BufferedReader lines = process.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                long now = System.nanoTime();
                if (line.equals(IMPORTED)) {
                    markers.putIfAbsent(IMPORTED, new Marker(now, ""));
                } else if (line.startsWith(RESULT + " ")) {
                    markers.putIfAbsent(RESULT, new Marker(now, line.substring(RESULT.length() + 1)));
                }
                output.add(line);
            }
        } catch (IOException e) {
            output.add("(reading the output failed: " + e.getMessage() + ")");
        }
    }

    /** Waits for the script to end and returns when it printed its markers; fails if it did not print both. */
    Finished await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException(
                    "the Python script did not finish within " + timeout.toSeconds() + " s:\n" + output());
        }
        reader.join(Duration.ofSeconds(10).toMillis());
        Marker imported = markers.get(IMPORTED);
        Marker result = markers.get(RESULT);
        if (process.exitValue() != 0 || imported == null || result == null) {
            throw new IllegalStateException(
                    "the Python script failed with exit code " + process.exitValue() + ":\n" + output());
        }
        return new Finished(startedAt, imported.at(), result.at(), result.value());
    }

    private String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** Ends the script and every process it started, if they still run. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** {@code value} as a Python string literal. */
    static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
