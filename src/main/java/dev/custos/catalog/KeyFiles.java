package dev.custos.catalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Key files (the master key, the audit signing key) created once, whole, and never over another process's. */
public final class KeyFiles {

    private KeyFiles() {
    }

    /**
     * Writes {@code content} to {@code file} (mode 0600) unless the file exists; true when this call created it. The
     * content goes to a temporary file first, hard-linked to its name once whole: a crash never leaves a half key that
     * a restart would trust, and link(2) fails if the name exists, unlike a rename ({@code Files.move} checks, then
     * renames over whatever appeared meanwhile). Two processes starting at once on one data directory thus end with
     * one key; the one that loses reads the winner's.
     */
    public static boolean createOnce(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + "-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.createLink(file, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
