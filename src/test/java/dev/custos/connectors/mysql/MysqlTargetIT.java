package dev.custos.connectors.mysql;

import static dev.custos.connectors.mysql.MariadbRoot.execute;
import static dev.custos.connectors.mysql.MariadbRoot.exists;
import static dev.custos.connectors.mysql.MariadbRoot.target;
import static dev.custos.connectors.mysql.MariadbRoot.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custos.connectors.RestoreException;
import dev.custos.connectors.TargetState;
import dev.custos.engines.RealServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What a restore does to its target before loading: inspect it, create it, drop it; on the machine's MariaDB 10.11. */
class MysqlTargetIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final RealServers servers = new RealServers();
    private static final List<String> created = new ArrayList<>();

    private final MysqlConnector connector = new MysqlConnector();

    @AfterAll
    static void dropDatabases() throws SQLException {
        for (String name : created) {
            execute(null, "DROP DATABASE IF EXISTS " + MysqlConnector.quote(name));
        }
        servers.dropAll();
    }

    @Test
    void inspectCountsTheObjectsAndNamesTheOtherSessions() throws Exception {
        String shop = servers.mariadbDatabase();
        execute(shop, "CREATE TABLE items (id INT PRIMARY KEY)", "CREATE VIEW item_ids AS SELECT id FROM items",
                "CREATE PROCEDURE add_item(IN i INT) INSERT INTO items VALUES (i)",
                "CREATE FUNCTION one() RETURNS INT RETURN 1",
                "CREATE EVENT cleanup ON SCHEDULE EVERY 1 DAY DO DELETE FROM items WHERE id < 0");

        try (Connection other = MariadbRoot.connect(shop)) {
            String id = connectionId(other);

            TargetState state = connector.inspect(target(shop), TIMEOUT);

            assertThat(state.exists()).isTrue();
            assertThat(state.userObjects()).isEqualTo(5);
            assertThat(state.empty()).isFalse();
            assertThat(state.otherSessions()).singleElement().asString().startsWith("id " + id + " user root host ");
            assertThat(state.serverVersion()).startsWith("10.11.").contains("MariaDB");
        }
    }

    @Test
    void inspectTellsAnEmptyTargetFromAMissingOne() {
        String empty = servers.mariadbDatabase();
        String missing = RealServers.randomName();

        TargetState emptyState = connector.inspect(target(empty), TIMEOUT);
        TargetState missingState = connector.inspect(target(missing), TIMEOUT);

        assertThat(emptyState.exists()).isTrue();
        assertThat(emptyState.empty()).isTrue();
        assertThat(emptyState.otherSessions()).isEmpty();
        assertThat(missingState.exists()).isFalse();
        assertThat(missingState.userObjects()).isZero();
        assertThat(missingState.serverVersion()).isEqualTo(emptyState.serverVersion());
    }

    @Test
    void createDatabaseMakesAnEmptyUtf8mb4DatabaseAndRefusesAnExistingOne() throws Exception {
        String name = RealServers.randomName() + "`odd -name";
        created.add(name);

        connector.createDatabase(target(name), TIMEOUT);

        assertThat(value("information_schema", "SELECT DEFAULT_CHARACTER_SET_NAME FROM SCHEMATA WHERE SCHEMA_NAME = '"
                + name + "'")).isEqualTo("utf8mb4");
        assertThat(connector.inspect(target(name), TIMEOUT).empty()).isTrue();
        assertThatThrownBy(() -> connector.createDatabase(target(name), TIMEOUT))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("database " + MysqlConnector.quote(name) + " exists already");
    }

    @Test
    void dropDatabaseEndsTheOtherSessionsFirst() throws Exception {
        String name = RealServers.randomName() + "`odd -name";
        created.add(name);
        connector.createDatabase(target(name), TIMEOUT);
        execute(name, "CREATE TABLE items (id INT PRIMARY KEY) ENGINE=InnoDB", "INSERT INTO items VALUES (1)");

        try (Connection other = MariadbRoot.connect(name); Statement statement = other.createStatement()) {
            // An open transaction that read the table holds a metadata lock DROP DATABASE would wait for.
            other.setAutoCommit(false);
            try (ResultSet rows = statement.executeQuery("SELECT * FROM items")) {
                assertThat(rows.next()).isTrue();
            }

            connector.dropDatabase(target(name), TIMEOUT);

            assertThat(exists(name)).isFalse();
            assertThat(other.isValid(5)).isFalse();
        }
        connector.dropDatabase(target(name), TIMEOUT);
    }

    private static String connectionId(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT CONNECTION_ID()")) {
            row.next();
            return row.getString(1);
        }
    }
}
