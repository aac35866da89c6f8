package dev.custos.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A service of a test class's own with authentication on, as it is by default: its own catalog, storage and first
 * admin's password file in a fresh directory (so that it never shares jobs with the shared service, which runs with
 * authentication off).
 */
public final class SecuredService {

    private final Path dir;

    private SecuredService(Path dir) {
        this.dir = dir;
    }

    public static SecuredService create(String name) {
        try {
            return new SecuredService(Files.createTempDirectory("custos-" + name + "-it-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Points the service at its own directory, with authentication required. */
    public void register(DynamicPropertyRegistry registry) {
        registry.add("custos.security.auth", () -> "required");
        registry.add("custos.security.admin-password-file", () -> passwordFile().toString());
        registry.add("custos.catalog.url", () -> "jdbc:sqlite:" + catalog());
        registry.add("custos.storage.local.path", () -> dir.resolve("backups").toString());
    }

    public Path dir() {
        return dir;
    }

    public Path catalog() {
        return dir.resolve("custos.db");
    }

    public Path passwordFile() {
        return dir.resolve("admin-password");
    }

    /** The first admin's password, as the first start wrote it. */
    public String adminPassword() {
        try {
            return Files.readString(passwordFile()).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code anonymous} signed in as the first admin. */
    public Api admin(Api anonymous) {
        return anonymous.as("admin", adminPassword());
    }
}
