package dev.custos.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The catalog connection pool. SQLite (the default) gets WAL so readers never wait for the writer, a busy
 * timeout instead of instant SQLITE_BUSY errors, foreign keys, and IMMEDIATE transactions so a transaction
 * takes the write lock when it starts rather than failing when it upgrades. PostgreSQL is used as given.
 */
@Configuration(proxyBeanMethods = false)
class CatalogDataSource {

    @Bean
    DataSource dataSource(CustosProperties properties) {
        CustosProperties.Catalog catalog = properties.catalog();
        HikariConfig config = new HikariConfig();
        config.setPoolName("custos-catalog");
        if (catalog.url().startsWith("jdbc:sqlite:")) {
            config.setJdbcUrl(sqliteUrl(catalog.url()));
            config.setMaximumPoolSize(8);
        } else {
            config.setJdbcUrl(catalog.url());
            if (catalog.username() != null && !catalog.username().isBlank()) {
                config.setUsername(catalog.username());
            }
            if (catalog.password() != null && !catalog.password().isBlank()) {
                config.setPassword(catalog.password());
            }
            config.setMaximumPoolSize(16);
        }
        return new HikariDataSource(config);
    }

    static String sqliteUrl(String url) {
        String base = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        String file = base.substring("jdbc:sqlite:".length());
        if (!file.isEmpty() && !file.equals(":memory:") && !file.startsWith("file:")) {
            createParent(Path.of(file));
        }
        StringBuilder sb = new StringBuilder(url);
        sb.append(url.contains("?") ? '&' : '?');
        sb.append("journal_mode=WAL&synchronous=NORMAL&busy_timeout=30000&foreign_keys=true&transaction_mode=IMMEDIATE");
        return sb.toString();
    }

    private static void createParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the catalog directory " + parent, e);
        }
    }
}
