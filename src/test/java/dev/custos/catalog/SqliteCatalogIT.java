package dev.custos.catalog;

import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The catalog contract on the embedded default: a SQLite file in a fresh data directory. */
class SqliteCatalogIT extends CatalogContract {

    @DynamicPropertySource
    static void catalog(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("custos-catalog-sqlite-");
        registry.add("custos.data-dir", dir::toString);
    }
}
