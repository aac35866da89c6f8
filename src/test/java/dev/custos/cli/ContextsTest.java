package dev.custos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.custos.backups.BackupHistoryRebuild;
import dev.custos.catalog.CustosProperties;
import dev.custos.connectors.Connectors;
import dev.custos.connectors.DatabaseKind;

/**
 * The contexts the tools run in hold what their command needs and nothing that runs by itself: no web server, no
 * backup or restore worker, no master key generated where none was.
 */
class ContextsTest {

    @TempDir
    Path dir;

    @Test
    void theCatalogContextMigratesTheCatalogAndStartsNoWorkerNorServer() {
        try (ConfigurableApplicationContext context = Contexts.catalog(List.of("--custos.data-dir=" + dir))) {
            assertThat(context).isNotInstanceOf(WebServerApplicationContext.class);
            assertThat(context.getBean(BackupHistoryRebuild.class)).isNotNull();
            assertThat(featureBeans(context)).containsExactly(BackupHistoryRebuild.class.getName());
            assertThat(context.getBean(JdbcClient.class).sql("SELECT count(*) FROM backups").query(Long.class).single())
                    .isZero();
        }
        assertThat(dir.resolve("custos.db")).exists();
        assertThat(dir.resolve("master.key")).doesNotExist();
    }

    @Test
    void theToolsContextHasTheSettingsAndEveryConnectorButNoCatalog() {
        try (ConfigurableApplicationContext context = Contexts.tools(List.of("--custos.data-dir=" + dir))) {
            assertThat(context.getBean(CustosProperties.class).masterKeyFile()).isEqualTo(dir.resolve("master.key"));
            Connectors connectors = context.getBean(Connectors.class);
            assertThat(connectors.forKind(DatabaseKind.POSTGRESQL)).isPresent();
            assertThat(connectors.forKind(DatabaseKind.MYSQL)).isPresent();
            assertThat(connectors.forKind(DatabaseKind.SQLITE)).isPresent();
            assertThat(featureBeans(context)).isEmpty();
            assertThat(context.getBeanNamesForType(JdbcClient.class)).isEmpty();
        }
        assertThat(dir).isEmptyDirectory();
    }

    /** Beans of the features that run jobs or serve requests. */
    private static List<String> featureBeans(ConfigurableApplicationContext context) {
        return Arrays.stream(context.getBeanDefinitionNames())
                .map(name -> context.getType(name))
                .filter(type -> type != null && List.of("dev.custos.backups", "dev.custos.restores", "dev.custos.jobs",
                        "dev.custos.databases", "dev.custos.engines", "dev.custos.policies", "dev.custos.app")
                        .contains(type.getPackageName()))
                .map(Class::getName)
                .toList();
    }
}
