package dev.custos.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The key table's contract on the embedded default: a SQLite file in a fresh data directory. */
class SqliteEncryptionKeysIT extends EncryptionKeysContract {

    @DynamicPropertySource
    static void catalog(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("custos-keys-sqlite-");
        registry.add("custos.data-dir", dir::toString);
    }
}
