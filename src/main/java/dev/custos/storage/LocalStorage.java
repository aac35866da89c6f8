package dev.custos.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.custos.catalog.CustosProperties;

/**
 * The local filesystem store under {@code custos.storage.local.path} ({@code ./data/backups} by default).
 * The backups issue grows it into the full {@code StorageBackend}; today it creates its directory and
 * answers whether it can really be written.
 */
@Component
public class LocalStorage {

    private static final Logger log = LoggerFactory.getLogger(LocalStorage.class);

    private final Path root;

    public LocalStorage(CustosProperties properties) {
        this.root = properties.storage().local().path().toAbsolutePath().normalize();
        try {
            Files.createDirectories(root);
        } catch (IOException | SecurityException e) {
            // Storage that cannot be reached must not keep the API (and its status page) from starting: the
            // probe reports it as unhealthy and tries again each time, so a mount that appears later is used.
            log.warn("Backup storage at {} cannot be created yet: {}", root, e.toString());
        }
    }

    public Path root() {
        return root;
    }

    public record Probe(boolean healthy, String message, long freeBytes) {
    }

    /** Writes, reads back and deletes a small file: a directory that exists but cannot be written is not healthy. */
    public Probe probe() {
        Path file = root.resolve(".custos-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectories(root);
            Files.writeString(file, "probe");
            if (!Files.readString(file).equals("probe")) {
                return new Probe(false, "Storage at " + root + " returned different bytes than were written", 0);
            }
            return new Probe(true, "Storage is accessible", Files.getFileStore(root).getUsableSpace());
        } catch (IOException | SecurityException e) {
            return new Probe(false, "Storage at " + root + " is not writable: " + e.getMessage(), 0);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A leftover probe file is harmless and the next probe uses another name.
            }
        }
    }
}
