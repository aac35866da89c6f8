package dev.custos.connectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A file for a secret a tool reads by path (a MySQL option file with the password), alone in a fresh directory.
 * Both are created with their final permissions (file 0600, directory 0700), so no other user can read the secret
 * even for the instant a chmod after creation would leave open. Use in try-with-resources: closing deletes both.
 */
public final class SecretFile implements AutoCloseable {

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path directory;
    private final Path file;

    private SecretFile(Path directory, Path file) {
        this.directory = directory;
        this.file = file;
    }

    /** Creates the directory under {@code parent} (null: the system temp directory) and the file in it. */
    public static SecretFile create(Path parent, String fileName, String content) {
        Path directory = null;
        try {
            directory = parent == null
                    ? Files.createTempDirectory("custos-", OWNER_ONLY_DIRECTORY)
                    : Files.createTempDirectory(parent, "custos-", OWNER_ONLY_DIRECTORY);
            Path file = Files.createFile(directory.resolve(fileName), OWNER_ONLY_FILE);
            Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.WRITE);
            return new SecretFile(directory, file);
        } catch (IOException | RuntimeException e) {
            deleteTree(directory);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot create a private temporary file: " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    public Path path() {
        return file;
    }

    /** The private directory holding the file; nothing else is in it unless a tool put it there. */
    public Path directory() {
        return directory;
    }

    /** Deletes the file and its directory, with whatever a tool may have left in it. */
    @Override
    public void close() {
        deleteTree(directory);
    }

    private static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Keep deleting the rest; a leftover in a 0700 directory is readable by its owner only.
                }
            });
        } catch (IOException e) {
            // Already gone.
        }
    }
}
