package dev.custos.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.custos.app.CustosApplication;

/**
 * Base of the API tests: the whole service on a random port, on its embedded default (a SQLite catalog and
 * local storage in a fresh data directory). The context is shared by every subclass, so tests create their
 * own uniquely named resources and never assume an empty catalog. A subclass that changes the configuration runs
 * a second service: it must give it its own catalog and storage ({@code custos.catalog.url},
 * {@code custos.storage.local.path}), or the two services' backup workers would take each other's jobs.
 */
@SpringBootTest(classes = CustosApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ApiTest {

    private static final Path DATA_DIR = createDataDir();

    @LocalServerPort
    private int port;

    protected Api api;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("custos.data-dir", DATA_DIR::toString);
    }

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    protected static Path dataDir() {
        return DATA_DIR;
    }

    /** A name no other test uses, so tests sharing the catalog never collide. */
    protected static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    private static Path createDataDir() {
        try {
            return Files.createTempDirectory("custos-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
