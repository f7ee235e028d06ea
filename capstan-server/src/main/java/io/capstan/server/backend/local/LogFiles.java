package io.capstan.server.backend.local;

import io.capstan.server.backend.ClusterBackend.LogChunk;
import io.capstan.server.backend.ClusterBackend.LogLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading the output files of a cluster's processes ({@code logs/NODE.STREAM.log}, written in append mode) line by
 * line from where the reader stopped. The files must not fill the disk: one whose content is all stored (the position
 * given, committed with the lines, is at its end) and which grew past {@link #TRUNCATE_AT} is truncated (the writer
 * appends at the new end), and a backlog larger than {@link
 * #MAX_BACKLOG} is skipped and counted as dropped.
 */
final class LogFiles {
    static final long TRUNCATE_AT = 8L * 1024 * 1024;
    static final long MAX_BACKLOG = 32L * 1024 * 1024;
    private static final int MAX_LINE = 16 * 1024;

    private LogFiles() {}

    private static LogLine line(String node, String stream, byte[] bytes, int start, int end) {
        return new LogLine(node, stream, new String(bytes, start, end - start, StandardCharsets.UTF_8).stripTrailing());
    }

    static LogChunk read(ClusterFolder folder, Map<String, Long> positions, int maxBytes) {
        List<LogLine> lines = new ArrayList<>();
        Map<String, Long> next = new HashMap<>(positions);
        long dropped = 0;
        if (!Files.isDirectory(folder.logs())) {
            return new LogChunk(List.of(), next, 0);
        }
        int budget = maxBytes;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder.logs(), "*.log")) {
            for (Path file : files) {
                String source = file.getFileName().toString().replaceAll("\\.log$", "");
                int dot = source.lastIndexOf('.');
                if (dot <= 0 || budget <= 0) {
                    continue;
                }
                String node = source.substring(0, dot);
                String stream = source.substring(dot + 1);
                long position = positions.getOrDefault(source, 0L);
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    long size = channel.size();
                    if (position > size) {
                        position = 0;
                    }
                    if (position == size && size > TRUNCATE_AT && channel.size() == size) {
                        // Everything in the file is stored (the position given is the one committed with the lines),
                        // so it can go. A line written between the two size checks and the truncation is lost: a
                        // window of microseconds once per 8 MiB, the price of not copying files.
                        channel.truncate(0);
                        position = 0;
                        size = 0;
                    }
                    if (size - position > MAX_BACKLOG) {
                        dropped += size - position - MAX_BACKLOG;
                        position = size - MAX_BACKLOG;
                    }
                    int length = (int) Math.min(size - position, budget);
                    ByteBuffer buffer = ByteBuffer.allocate(length);
                    while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) > 0) {
                        // Read what is there.
                    }
                    byte[] bytes = buffer.array();
                    int start = 0;
                    for (int i = 0; i < buffer.position(); i++) {
                        if (bytes[i] == '\n') {
                            lines.add(line(node, stream, bytes, start, i));
                            start = i + 1;
                        } else if (i - start >= MAX_LINE) {
                            // An endless line is cut into pieces rather than held in memory.
                            lines.add(line(node, stream, bytes, start, i));
                            start = i;
                        }
                    }
                    position += start;
                    budget -= start;
                    next.put(source, position);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the logs in " + folder.logs(), e);
        }
        return new LogChunk(lines, next, dropped);
    }
}
