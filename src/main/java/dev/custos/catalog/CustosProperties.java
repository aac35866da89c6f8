package dev.custos.catalog;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Every setting an operator can give Custos, bound from {@code custos.*} properties or the matching
 * {@code CUSTOS_*} environment variables. It lives in the lowest package because every feature reads it.
 */
@ConfigurationProperties("custos")
public record CustosProperties(
        Path dataDir,
        Catalog catalog,
        String masterKey,
        Path masterKeyFile,
        Storage storage,
        Duration connectionTimeout) {

    public record Catalog(String url, String username, String password) {
        public boolean isPostgres() {
            return url.startsWith("jdbc:postgresql:");
        }
    }

    public record Storage(Local local) {
        public record Local(Path path) {
        }
    }
}
