package dev.custos.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * At start: with authentication off, a warning; with it on and no user yet, the {@code admin} user with a random
 * password, written to a file only this OS user can read. The log says where the file is, never the password.
 */
@Component
class FirstAdmin implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(FirstAdmin.class);

    private final SecurityProperties properties;
    private final UserService users;

    FirstAdmin(SecurityProperties properties, UserService users) {
        this.properties = properties;
        this.users = users;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (!properties.required()) {
            log.warn("Authentication is OFF (CUSTOS_AUTH=none): anyone who can reach this port can read, download,"
                    + " restore and delete every backup, as 'anonymous'. Use it for development only.");
            return;
        }
        if (!users.noUsers()) {
            return;
        }
        String password = UserService.randomPassword();
        Path file = properties.adminPasswordFile().toAbsolutePath();
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName() + "-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, password + "\n", StandardCharsets.UTF_8);
            // The file takes its place inside the transaction that creates the user, before it commits: a user whose
            // password nobody was told would lock everyone out, and a process that loses the race to create the
            // first user (several share a catalog) never touches the winner's file.
            if (users.createFirstAdmin(password, () -> publish(tmp, file))) {
                log.warn("Created the first user 'admin' with a random password, written to {} (readable by this OS"
                        + " user only). Sign in with it, then change it (PUT /api/users/{id}) and delete the file.",
                        file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void publish(Path tmp, Path file) {
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the first admin's password to " + file, e);
        }
    }
}
