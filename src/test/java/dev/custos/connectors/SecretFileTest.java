package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFileTest {

    @TempDir
    Path parent;

    @Test
    void isReadableByItsOwnerOnlyAndGoneWhenClosed() throws Exception {
        Path file;
        Path directory;
        try (SecretFile secret = SecretFile.create(parent, "client.cnf", "[client]\npassword=\"s3cret\"\n")) {
            file = secret.path();
            directory = secret.directory();

            assertThat(file).hasContent("[client]\npassword=\"s3cret\"");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
            assertThat(directory.getParent()).isEqualTo(parent);
            // Whatever a tool leaves next to it goes too.
            Files.writeString(directory.resolve(".mariadb_history"), "select 1;");
        }

        assertThat(file).doesNotExist();
        assertThat(directory).doesNotExist();
    }
}
