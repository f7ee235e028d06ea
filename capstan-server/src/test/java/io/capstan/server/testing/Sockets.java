package io.capstan.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The listening TCP sockets of a set of processes, read from {@code /proc}: where does each one listen? */
public final class Sockets {
    private Sockets() {}

    /** A listening socket: its local address in /proc's hex notation decoded, and its port. */
    public record Listener(String address, int port) {
        public boolean isLoopback() {
            return address.equals("127.0.0.1") || address.equals("::1") || address.startsWith("127.");
        }
    }

    public static List<Listener> listeners(Set<Long> pids) {
        Set<String> inodes = new HashSet<>();
        for (long pid : pids) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException e) {
                        // Closed meanwhile.
                    }
                }
            } catch (IOException e) {
                // The process ended meanwhile.
            }
        }
        List<Listener> listeners = new ArrayList<>();
        listeners.addAll(read(Path.of("/proc/net/tcp"), inodes, false));
        listeners.addAll(read(Path.of("/proc/net/tcp6"), inodes, true));
        return listeners;
    }

    private static List<Listener> read(Path table, Set<String> inodes, boolean ipv6) {
        List<Listener> listeners = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(table)
                    .subList(1, Files.readAllLines(table).size())) {
                String[] fields = line.trim().split("\\s+", -1);
                boolean listening = fields[3].equals("0A");
                if (!listening || !inodes.contains(fields[9])) {
                    continue;
                }
                String[] local = fields[1].split(":", -1);
                listeners.add(new Listener(ipv6 ? ipv6(local[0]) : ipv4(local[0]), Integer.parseInt(local[1], 16)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return listeners;
    }

    private static String ipv4(String hex) {
        long value = Long.parseLong(hex, 16);
        return (value & 0xff) + "." + ((value >> 8) & 0xff) + "." + ((value >> 16) & 0xff) + "."
                + ((value >> 24) & 0xff);
    }

    private static String ipv6(String hex) {
        if (hex.equals("00000000000000000000000000000000")) {
            return "::";
        }
        if (hex.equals("00000000000000000000000001000000")) {
            return "::1";
        }
        if (hex.startsWith("0000000000000000FFFF0000")) {
            return ipv4(hex.substring(24));
        }
        return hex;
    }
}
