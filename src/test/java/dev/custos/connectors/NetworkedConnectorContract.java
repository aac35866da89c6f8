package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * What every connector for a database server must do, run against the real server of each subclass. A missing
 * server fails these tests: it is never a reason to skip them.
 */
public abstract class NetworkedConnectorContract {

    protected static final Duration TIMEOUT = Duration.ofSeconds(10);
    protected static final Duration SHORT_TIMEOUT = Duration.ofMillis(1500);
    /** Slack for thread scheduling and driver clean-up on top of the timeout the caller asked for. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    protected abstract DatabaseConnector connector();

    /** A target on the real server with credentials it accepts. */
    protected abstract ConnectionTarget target(String host, int port, String databaseName);

    protected abstract int serverPort();

    protected abstract String expectedVersionPrefix();

    protected abstract List<String> systemDatabases();

    protected abstract void createDatabase(String name) throws SQLException;

    protected abstract void dropDatabase(String name) throws SQLException;

    protected static String randomName(String prefix) {
        return prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    @Test
    void connectsToTheServerAndReportsItsVersion() {
        ConnectionCheck check = connector().testConnection(target("127.0.0.1", serverPort(), null), TIMEOUT);

        assertThat(check.success()).as(check.message()).isTrue();
        assertThat(check.message()).isEqualTo("Connection successful");
        assertThat(check.errorType()).isNull();
        assertThat(check.serverVersion()).startsWith(expectedVersionPrefix());
        assertThat(check.durationMs()).isBetween(0L, TIMEOUT.toMillis());
    }

    @Test
    void unknownDatabaseIsDatabaseNotFound() {
        String missing = randomName("custos_it_missing_");

        ConnectionCheck check = connector().testConnection(target("127.0.0.1", serverPort(), missing), TIMEOUT);

        assertThat(check.success()).isFalse();
        assertThat(check.errorType()).isEqualTo(ConnectionErrorType.DatabaseNotFound);
        assertThat(check.message()).startsWith("Connection failed: ").contains(missing);
        assertThat(check.serverVersion()).isNull();
    }

    @Test
    void refusedPortIsConnectionError() {
        ConnectionCheck check =
                connector().testConnection(target("127.0.0.1", SilentServer.refusedPort(), null), TIMEOUT);

        assertThat(check.success()).isFalse();
        assertThat(check.errorType()).isEqualTo(ConnectionErrorType.ConnectionError);
        assertThat(check.message()).startsWith("Connection failed: ");
    }

    @Test
    void unknownHostIsConnectionError() {
        ConnectionCheck check =
                connector().testConnection(target("custos-no-such-host.invalid", serverPort(), null), TIMEOUT);

        assertThat(check.errorType()).isEqualTo(ConnectionErrorType.ConnectionError);
        assertThat(check.message()).isEqualTo("Connection failed: unknown host: custos-no-such-host.invalid");
    }

    @Test
    void serverThatAcceptsButNeverAnswersIsTimeoutWithinTheTimeout() throws Exception {
        try (SilentServer silent = SilentServer.start()) {
            ConnectionCheck check =
                    connector().testConnection(target("127.0.0.1", silent.port(), null), SHORT_TIMEOUT);

            assertThat(check.success()).isFalse();
            assertThat(check.errorType()).as(check.message()).isEqualTo(ConnectionErrorType.Timeout);
            assertThat(check.durationMs()).isLessThan(SHORT_TIMEOUT.plus(SLACK).toMillis());
        }
    }

    @Test
    void listDatabasesAgainstASilentServerThrowsTimeout() throws Exception {
        try (SilentServer silent = SilentServer.start()) {
            long started = System.nanoTime();

            assertThatThrownBy(() -> connector().listDatabases(target("127.0.0.1", silent.port(), null), SHORT_TIMEOUT))
                    .isInstanceOfSatisfying(ConnectorException.class,
                            e -> assertThat(e.type()).isEqualTo(ConnectionErrorType.Timeout));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(SHORT_TIMEOUT.plus(SLACK));
        }
    }

    @Test
    void listDatabasesShowsUserDatabasesOnlySorted() throws Exception {
        String created = randomName("custos_it_conn_");
        createDatabase(created);
        try {
            List<String> names = connector().listDatabases(target("127.0.0.1", serverPort(), null), TIMEOUT);

            assertThat(names).contains(created).doesNotContainAnyElementsOf(systemDatabases()).isSorted();
        } finally {
            dropDatabase(created);
        }
    }

    @Test
    void listDatabasesOnAnUnknownDatabaseThrowsDatabaseNotFound() {
        ConnectionTarget target = target("127.0.0.1", serverPort(), randomName("custos_it_missing_"));

        assertThatThrownBy(() -> connector().listDatabases(target, TIMEOUT))
                .isInstanceOfSatisfying(ConnectorException.class,
                        e -> assertThat(e.type()).isEqualTo(ConnectionErrorType.DatabaseNotFound));
    }
}
