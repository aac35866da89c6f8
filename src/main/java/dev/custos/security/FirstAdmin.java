package dev.custos.security;

import java.io.IOException;
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
        // The file first: a user whose password nobody was told would lock everyone out.
        Path file = properties.adminPasswordFile().toAbsolutePath();
        write(file, password + "\n");
        if (users.createFirstAdmin(password)) {
            log.warn("Created the first user 'admin' with a random password, written to {} (readable by this OS user"
                    + " only). Sign in with it, then change it (PUT /api/users/{id}) and delete the file.", file);
        } else {
            Files.deleteIfExists(file);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName() + "-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
