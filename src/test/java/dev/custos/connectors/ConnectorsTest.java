package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custos.connectors.mysql.MysqlConnector;
import dev.custos.connectors.postgres.PostgresConnector;
import dev.custos.connectors.sqlite.SqliteConnector;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConnectorsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final Connectors connectors =
            new Connectors(List.of(new PostgresConnector(), new MysqlConnector(), new SqliteConnector()));

    @Test
    void findsTheConnectorOfEachImplementedKind() {
        assertThat(connectors.forKind(DatabaseKind.POSTGRESQL)).containsInstanceOf(PostgresConnector.class);
        assertThat(connectors.forKind(DatabaseKind.MYSQL)).containsInstanceOf(MysqlConnector.class);
        assertThat(connectors.forKind(DatabaseKind.SQLITE)).containsInstanceOf(SqliteConnector.class);
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, names = {"SQLSERVER", "AZURE_SQL"})
    void kindsWithoutAConnectorFailTheTestAsUnsupported(DatabaseKind kind) {
        ConnectionCheck check = connectors.test(new ConnectionTarget(kind, "db.example", 0, "app", "sa", "pw"), TIMEOUT);

        assertThat(connectors.forKind(kind)).isEmpty();
        assertThat(check.success()).isFalse();
        assertThat(check.errorType()).isEqualTo(ConnectionErrorType.UnsupportedEngine);
        assertThat(check.message()).startsWith(kind.value() + " is not supported yet: ");
        assertThat(check.serverVersion()).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, names = {"SQLSERVER", "AZURE_SQL"})
    void kindsWithoutAConnectorCannotListDatabases(DatabaseKind kind) {
        ConnectionTarget target = new ConnectionTarget(kind, "db.example", 0, null, "sa", "pw");

        assertThatThrownBy(() -> connectors.listDatabases(target, TIMEOUT))
                .isInstanceOfSatisfying(ConnectorException.class,
                        e -> assertThat(e.type()).isEqualTo(ConnectionErrorType.UnsupportedEngine))
                .hasMessageStartingWith(kind.value() + " is not supported yet: ");
    }

    @Test
    void twoConnectorsForOneKindAreAWiringError() {
        assertThatThrownBy(() -> new Connectors(List.of(new SqliteConnector(), new SqliteConnector())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sqlite");
    }

    @Test
    void targetNeverPrintsItsPassword() {
        ConnectionTarget target =
                new ConnectionTarget(DatabaseKind.POSTGRESQL, "db.example", 5432, "app", "backup", "s3cr3t-Pa55");

        assertThat(target.toString()).doesNotContain("s3cr3t-Pa55").contains("hasPassword=true").contains("backup");
    }

    @Test
    void portZeroMeansTheKindsDefaultPort() {
        assertThat(new ConnectionTarget(DatabaseKind.MYSQL, "h", 0, null, "u", null).port()).isEqualTo(3306);
        assertThat(new ConnectionTarget(DatabaseKind.POSTGRESQL, "h", 0, null, "u", null).port()).isEqualTo(5432);
        assertThat(new ConnectionTarget(DatabaseKind.POSTGRESQL, "h", 6543, null, "u", null).port()).isEqualTo(6543);
    }

    @Test
    void portOutOfRangeIsRejected() {
        assertThatThrownBy(() -> new ConnectionTarget(DatabaseKind.MYSQL, "h", 70_000, null, "u", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
