package dev.custos.connectors.mysql;

import static dev.custos.connectors.mysql.MariadbRoot.execute;
import static dev.custos.connectors.mysql.MariadbRoot.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.ProcessCommandRunner;
import dev.custos.engines.RealServers;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the MySQL fingerprint notices, and what it must not, against the machine's MariaDB 10.11. */
class MysqlFingerprintIT {

    private static final RealServers servers = new RealServers();

    private final MysqlConnector connector = new MysqlConnector(new ProcessCommandRunner());
    private String shop;

    @BeforeEach
    void createShop() throws Exception {
        shop = servers.mariadbDatabase();
        execute(shop, "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100), price DECIMAL(10, 2))",
                "CREATE TABLE item_log (id INT AUTO_INCREMENT PRIMARY KEY, item_id INT)",
                "CREATE TRIGGER items_logged AFTER INSERT ON items FOR EACH ROW INSERT INTO item_log (item_id) VALUES (NEW.id)",
                "INSERT INTO items (name, price) SELECT CONCAT('item ', seq), seq / 4 FROM seq_1_to_100");
    }

    @AfterAll
    static void dropDatabases() {
        servers.dropAll();
    }

    @Test
    void aFingerprintOfAnUnchangedDatabaseIsTheSame() {
        Fingerprint first = fingerprint();

        assertThat(first.differences(fingerprint())).isEmpty();
        assertThat(first.kind()).isEqualTo("mysql");
        assertThat(first.tables().get("items").rows()).isEqualTo(100);
        assertThat(first.tables().get("items").contentHash()).hasSize(64);
        assertThat(first.sequences()).containsEntry("item_log", "101");
    }

    @Test
    void oneChangedRowIsNamed() throws Exception {
        Fingerprint before = fingerprint();

        execute(shop, "UPDATE items SET name = 'changed' WHERE id = 50");

        assertThat(before.differences(fingerprint()))
                .containsExactly("table items has the same 100 rows but different content");
    }

    @Test
    void aDroppedTriggerIsNamed() throws Exception {
        Fingerprint before = fingerprint();

        execute(shop, "DROP TRIGGER items_logged");

        assertThat(before.differences(fingerprint())).singleElement().asString()
                .startsWith("missing: trigger items_logged: AFTER INSERT on items order 1 ");
    }

    @Test
    void aChangedAutoIncrementIsNamed() throws Exception {
        Fingerprint before = fingerprint();

        execute(shop, "ALTER TABLE items AUTO_INCREMENT = 9999");

        assertThat(before.differences(fingerprint()))
                .containsExactly("sequence items is at 9999, expected " + before.sequences().get("items"));
    }

    @Test
    void rowOrderDoesNotCountButNullsEmptiesSeparatorsAndDuplicatesDo() throws Exception {
        execute(shop, "CREATE TABLE forward (k INT, v VARCHAR(10), b VARBINARY(10))",
                "CREATE TABLE backward LIKE forward",
                "INSERT INTO forward SELECT seq, CONCAT('v', seq), UNHEX(HEX(seq)) FROM seq_1_to_50",
                "INSERT INTO backward SELECT seq, CONCAT('v', seq), UNHEX(HEX(seq)) FROM seq_50_to_1",
                "CREATE TABLE null_value (a VARCHAR(10), b VARCHAR(10))", "INSERT INTO null_value VALUES (NULL, 'x')",
                "CREATE TABLE empty_value LIKE null_value", "INSERT INTO empty_value VALUES ('', 'x')",
                "CREATE TABLE comma_first LIKE null_value", "INSERT INTO comma_first VALUES ('a,', 'b')",
                "CREATE TABLE comma_second LIKE null_value", "INSERT INTO comma_second VALUES ('a', ',b')",
                "CREATE TABLE twice LIKE null_value", "INSERT INTO twice VALUES ('a', 'b'), ('a', 'b'), ('c', 'd')",
                "CREATE TABLE once LIKE null_value", "INSERT INTO once VALUES ('a', 'b'), ('c', 'd'), ('c', 'd')");

        Fingerprint print = fingerprint();

        assertThat(hash(print, "backward")).isEqualTo(hash(print, "forward"));
        assertThat(hash(print, "null_value")).isNotEqualTo(hash(print, "empty_value"));
        assertThat(hash(print, "comma_first")).isNotEqualTo(hash(print, "comma_second"));
        assertThat(hash(print, "twice")).isNotEqualTo(hash(print, "once"));
    }

    @Test
    void aDumpsFingerprintIsTheDatabasesWhenNothingWritesAndNoneIsTakenUnasked() {
        DumpResult with = connector.dump(target(shop), OutputStream.nullOutputStream(), DumpLog.discard(),
                Cancellation.none(), true);
        DumpResult without = connector.dump(target(shop), OutputStream.nullOutputStream(), DumpLog.discard(),
                Cancellation.none());

        assertThat(with.fingerprint().differences(fingerprint())).isEmpty();
        assertThat(without.fingerprint()).isNull();
    }

    @Test
    void cancellingStopsAFingerprintThatWaitsForALock() throws Exception {
        Cancellation cancellation = new Cancellation();
        try (Connection locker = MariadbRoot.connect(shop); Statement lock = locker.createStatement()) {
            lock.execute("LOCK TABLES items WRITE");
            CompletableFuture<Fingerprint> print = CompletableFuture.supplyAsync(
                    () -> connector.fingerprint(target(shop), cancellation));
            await().atMost(Duration.ofSeconds(30)).until(() -> !MariadbRoot.rows("information_schema",
                    "SELECT ID FROM PROCESSLIST WHERE DB = '" + shop + "' AND STATE LIKE 'Waiting for table%'").isEmpty());

            cancellation.cancel();

            assertThatThrownBy(() -> print.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(Cancellation.CancelledException.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> MariadbRoot.rows("information_schema",
                    "SELECT ID FROM PROCESSLIST WHERE DB = '" + shop + "' AND ID <> " + connectionId(locker)).isEmpty());
        }
    }

    private Fingerprint fingerprint() {
        return connector.fingerprint(target(shop), Cancellation.none());
    }

    private static String hash(Fingerprint print, String table) {
        return print.tables().get(table).contentHash();
    }

    private static String connectionId(Connection connection) throws Exception {
        try (Statement statement = connection.createStatement();
                var row = statement.executeQuery("SELECT CONNECTION_ID()")) {
            row.next();
            return row.getString(1);
        }
    }
}
