package dev.custos.cli;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;

import dev.custos.audit.AuditWriting;
import dev.custos.backups.BackupHistoryRebuild;
import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.SecretBox;
import dev.custos.connectors.Connectors;
import dev.custos.pipeline.ManifestCodec;

/**
 * The small Spring contexts the commands run in. Each holds only what its command needs, named here, and none scans
 * the features: no web server, no backup or restore worker (which would claim queued jobs, and on SQLite fail the
 * jobs of a server still running), nothing added to the server later can start in a disaster tool by accident.
 * Settings are read exactly as the server reads them (application.properties, {@code CUSTOS_*} variables,
 * {@code --name=value} before the command), by Spring Boot itself.
 */
final class Contexts {

    private Contexts() {
    }

    /** Settings alone: where the master key is, for {@code decrypt}. */
    static ConfigurableApplicationContext settings(List<String> settings) {
        return start(Settings.class, settings);
    }

    /** Settings and the connectors: what {@code restore-file} needs. No catalog. */
    static ConfigurableApplicationContext tools(List<String> settings) {
        return start(Tools.class, settings);
    }

    /**
     * The catalog, migrated by Flyway as at the server's start, and the history rebuild. Spring Boot's own data source,
     * Flyway and JDBC set-up are used rather than a copy of them; the server's catalog package supplies the pool.
     */
    static ConfigurableApplicationContext catalog(List<String> settings) {
        return start(Catalog.class, settings);
    }

    private static ConfigurableApplicationContext start(Class<?> configuration, List<String> settings) {
        return new SpringApplicationBuilder(configuration)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .registerShutdownHook(false)
                .properties(Map.of("logging.config", Cli.LOGGING_CONFIG, "spring.main.lazy-initialization", "false"))
                .run(settings.toArray(String[]::new));
    }

    // None is a @Configuration: the server scans dev.custos for those, and must not take these in. A class given to
    // SpringApplication as its source is read as configuration all the same.
    @EnableConfigurationProperties(CustosProperties.class)
    static class Settings {
    }

    @EnableConfigurationProperties(CustosProperties.class)
    @ComponentScan(basePackageClasses = Connectors.class)
    static class Tools {
    }

    @EnableAutoConfiguration
    @EnableConfigurationProperties(CustosProperties.class)
    // The catalog package's pool and JSON columns; not the secret box, which would make a master key where none is.
    @ComponentScan(basePackageClasses = CustosProperties.class,
            excludeFilters = @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE, classes = SecretBox.class))
    @Import({AuditWriting.class, ManifestCodec.class, BackupHistoryRebuild.class})
    static class Catalog {

        @Bean
        Clock clock() {
            return Clock.systemUTC();
        }
    }
}
