package io.capstan.api.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files that hold secrets (tokens, keys): written with mode 0600 from the first byte, atomically (a temporary file
 * in the same folder, flushed to disk, then renamed over the target), in folders created with mode 0700. Shared
 * plumbing of the server and the client, not part of the wire model.
 */
public final class OwnerOnlyFiles {
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OPEN_TO_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE);

    private OwnerOnlyFiles() {}

    /** Replaces {@code target} with {@code content} atomically; a reader sees the old file or the new, never half. */
    public static void write(Path target, byte[] content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        createFolders(folder);
        Path temporary = folder.resolve("." + absolute.getFileName() + "."
                + ProcessHandle.current().pid() + "." + Thread.currentThread().getId() + ".tmp");
        Files.deleteIfExists(temporary);
        try {
            try (FileChannel channel = FileChannel.open(
                            temporary,
                            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(FILE_MODE));
                    OutputStream out = Channels.newOutputStream(channel)) {
                out.write(content);
                out.flush();
                channel.force(true);
            }
            Files.setPosixFilePermissions(temporary, FILE_MODE);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + absolute + " cannot replace files atomically", e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Writes {@code target} only if it does not exist yet; never replaces a file. */
    public static void create(Path target, byte[] content) throws IOException {
        Path absolute = target.toAbsolutePath();
        createFolders(absolute.getParent());
        try (FileChannel channel = FileChannel.open(
                        absolute,
                        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(FILE_MODE));
                OutputStream out = Channels.newOutputStream(channel)) {
            out.write(content);
            out.flush();
            channel.force(true);
        }
        Files.setPosixFilePermissions(absolute, FILE_MODE);
    }

    /** Creates missing folders with mode 0700. Existing folders are left as they are: they may not be ours. */
    public static void createFolders(Path folder) throws IOException {
        if (folder == null || Files.isDirectory(folder)) {
            return;
        }
        createFolders(folder.toAbsolutePath().getParent());
        try {
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(FOLDER_MODE));
            Files.setPosixFilePermissions(folder, FOLDER_MODE);
        } catch (FileAlreadyExistsException e) {
            // Created meanwhile by someone else; fine.
        }
    }

    /** Whether group or others may read or write {@code path}. */
    public static boolean isOpenToOthers(Path path) throws IOException {
        return Files.getPosixFilePermissions(path).stream().anyMatch(OPEN_TO_OTHERS::contains);
    }

    /** Overwrites a secret file with zeros, flushes, then deletes it, so the bytes do not linger on disk. */
    public static void destroy(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        long size = Files.size(path);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            byte[] zeros = new byte[(int) Math.min(size, 64 * 1024)];
            long written = 0;
            while (written < size) {
                int length = (int) Math.min(zeros.length, size - written);
                written += channel.write(java.nio.ByteBuffer.wrap(zeros, 0, length), written);
            }
            channel.force(true);
        }
        Files.delete(path);
    }
}
