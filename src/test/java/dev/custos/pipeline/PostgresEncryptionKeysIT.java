package dev.custos.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The key table's contract on PostgreSQL, in a database of its own created for this run on the local server. */
// Closed after the class: its catalog database is dropped, and a cached context would keep polling it.
@DirtiesContext
class PostgresEncryptionKeysIT extends EncryptionKeysContract {

    private static final String DATABASE = "custos_it_keys_" + Long.toString(System.nanoTime(), 36);

    @DynamicPropertySource
    static void catalog(DynamicPropertyRegistry registry) throws Exception {
        admin("CREATE DATABASE " + DATABASE);
        Path dir = Files.createTempDirectory("custos-keys-pg-");
        registry.add("custos.data-dir", dir::toString);
        registry.add("custos.catalog.url", () -> "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
        registry.add("custos.catalog.username", () -> "postgres");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
