package dev.custos.connectors.mysql;

import static dev.custos.connectors.DumpTestSupport.cmdline;
import static dev.custos.connectors.DumpTestSupport.environ;
import static dev.custos.connectors.DumpTestSupport.liveTool;
import static dev.custos.connectors.mysql.MariadbRoot.execute;
import static dev.custos.connectors.mysql.MariadbRoot.rows;
import static dev.custos.connectors.mysql.MariadbRoot.target;
import static dev.custos.connectors.mysql.MariadbRoot.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.Command;
import dev.custos.connectors.CommandResult;
import dev.custos.connectors.CommandRunner;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.DumpTestSupport.RecordingLog;
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.ProcessCommandRunner;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import dev.custos.engines.RealServers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Restores through the connector into the machine's MariaDB 10.11: a shop with every kind of value and object,
 * dumped once with its fingerprint, restored into fresh databases and proven equal by their fingerprints.
 */
class MysqlRestoreIT {

    /** Quotes, '#', ';', '$' and spaces: what an option file or a shell would mangle if written carelessly. */
    private static final String PASSWORD = "My \"pw\" #1; $HOME x";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final RealServers servers = new RealServers();
    private static final List<String> restored = new ArrayList<>();
    private static String shop;
    private static String foreignUser;
    private static byte[] dump;
    private static DumpResult dumped;
    private static List<String> dumpLog;

    private final MysqlConnector connector = new MysqlConnector(new ProcessCommandRunner());

    @BeforeAll
    static void dumpAShopWhoseDefinerIsThenDropped() throws Exception {
        shop = servers.mariadbDatabase();
        foreignUser = "custos_foreign_" + Long.toHexString(System.nanoTime());
        execute(null, "CREATE USER '" + foreignUser + "'@'%'",
                "GRANT ALL PRIVILEGES ON `" + shop + "`.* TO '" + foreignUser + "'@'%'");
        String definer = "DEFINER=`" + foreignUser + "`@`%`";
        execute(shop,
                "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
                        + " email VARCHAR(200) UNIQUE, created DATETIME(3) NOT NULL, birthday DATE, wakes TIME,"
                        + " seen TIMESTAMP(6) NULL DEFAULT NULL, balance DECIMAL(20, 6), ratio DOUBLE, score FLOAT,"
                        + " tier ENUM('free', 'pro', 'enterprise') NOT NULL DEFAULT 'free', flags SET('a', 'b', 'c'),"
                        + " prefs JSON, photo BLOB, code BINARY(4), bits BIT(10), born YEAR,"
                        + " shout VARCHAR(100) AS (UPPER(name)) VIRTUAL, name_length INT AS (CHAR_LENGTH(name)) STORED,"
                        + " KEY by_name (name(20), created DESC)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
                        + " COMMENT='people who buy'",
                "CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL,"
                        + " total DECIMAL(12, 2) NOT NULL, note TEXT,"
                        + " CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)"
                        + " ON DELETE CASCADE) ENGINE=InnoDB",
                "CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(200) NOT NULL) ENGINE=InnoDB",
                "CREATE TABLE legacy (id INT PRIMARY KEY, txt VARCHAR(50)) ENGINE=InnoDB DEFAULT CHARSET=latin1",
                "CREATE SEQUENCE invoice_numbers START WITH 1000 INCREMENT BY 5",
                "CREATE TRIGGER orders_audited AFTER INSERT ON orders FOR EACH ROW"
                        + " INSERT INTO audit (what) VALUES (CONCAT('order ', NEW.id))",
                "CREATE " + definer + " TRIGGER audit_trimmed BEFORE INSERT ON audit FOR EACH ROW"
                        + " SET NEW.what = LEFT(NEW.what, 200)",
                "CREATE PROCEDURE add_order(IN customer INT, IN amount DECIMAL(12, 2))"
                        + " INSERT INTO orders (customer_id, total) VALUES (customer, amount)",
                "CREATE FUNCTION order_count(customer INT) RETURNS INT READS SQL DATA"
                        + " RETURN (SELECT COUNT(*) FROM orders WHERE customer_id = customer)",
                "CREATE " + definer + " PROCEDURE customer_total() SQL SECURITY DEFINER SELECT COUNT(*) FROM customers",
                "CREATE EVENT audit_purged ON SCHEDULE EVERY 1 HOUR DO DELETE FROM audit WHERE id < 0",
                "CREATE " + definer + " EVENT audit_checked ON SCHEDULE EVERY 1 DAY DO SELECT COUNT(*) FROM audit",
                "CREATE VIEW big_orders AS SELECT o.id, c.name, o.total FROM orders o JOIN customers c"
                        + " ON c.id = o.customer_id WHERE o.total > 100",
                "CREATE " + definer + " SQL SECURITY DEFINER VIEW customer_names AS SELECT id, name FROM customers",
                "INSERT INTO customers (name, email, created, birthday, wakes, seen, balance, ratio, score, tier, flags,"
                        + " prefs, code, bits, born)"
                        + " SELECT CONCAT('customer ', seq), CONCAT('c', seq, '@example.com'),"
                        + " TIMESTAMP('2024-01-01') + INTERVAL seq MINUTE + INTERVAL seq * 1000 MICROSECOND,"
                        + " DATE('1970-01-01') + INTERVAL seq DAY, SEC_TO_TIME(seq * 37),"
                        + " IF(seq % 3 = 0, NULL, TIMESTAMP('2025-06-01 12:00:00.123456') + INTERVAL seq SECOND),"
                        + " seq / 7, seq / 3e0, seq / 9e0, ELT(1 + seq % 3, 'free', 'pro', 'enterprise'),"
                        + " IF(seq % 2 = 0, 'a,c', ''), JSON_OBJECT('n', seq, 'tags', JSON_ARRAY('x', seq)),"
                        + " UNHEX(LPAD(HEX(seq), 8, '0')), seq % 1024, 1901 + seq % 254 FROM seq_1_to_500",
                "INSERT INTO orders (customer_id, total, note) SELECT 1 + seq % 500, seq * 1.25,"
                        + " IF(seq % 5 = 0, NULL, REPEAT('note ', seq % 40)) FROM seq_1_to_1000",
                "INSERT INTO legacy VALUES (1, 'caf\\u00e9'), (2, NULL), (3, '')",
                "SELECT NEXTVAL(invoice_numbers)", "SELECT NEXTVAL(invoice_numbers)");
        try (Connection connection = MariadbRoot.connect(shop); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO customers (name, email, created, photo, prefs) VALUES (?, ?, NOW(3), ?, ?)")) {
            byte[] everyByte = new byte[256];
            for (int i = 0; i < everyByte.length; i++) {
                everyByte[i] = (byte) i;
            }
            insert.setString(1, "Grüße 🎉👩‍💻 'quoted' \\ back`tick");
            insert.setString(2, "");
            insert.setBytes(3, everyByte);
            insert.setString(4, "{\"emoji\": \"🦄\", \"nested\": {\"a\": [1, 2.5, null]}}");
            insert.executeUpdate();
        }
        // AUTO_INCREMENT values moved past their rows: deleted tails and an explicit jump.
        execute(shop, "DELETE FROM customers WHERE id > 495 AND id <= 500", "ALTER TABLE audit AUTO_INCREMENT = 5000",
                "CALL add_order(7, 250.00)");
        // The triggers fired for every order, the foreign definer's too while its account still existed.
        assertThat(value(shop, "SELECT COUNT(*) FROM audit")).isEqualTo("1001");

        RecordingLog log = new RecordingLog();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        dumped = new MysqlConnector(new ProcessCommandRunner()).dump(target(shop), out, log, Cancellation.none(), true);
        dump = out.toByteArray();
        dumpLog = log.steps();
        execute(null, "DROP USER '" + foreignUser + "'@'%'");
    }

    @AfterAll
    static void dropDatabases() throws SQLException {
        for (String name : restored) {
            execute(null, "DROP DATABASE IF EXISTS `" + name + "`");
        }
        execute(null, "DROP USER IF EXISTS '" + foreignUser + "'@'%'");
        servers.dropAll();
    }

    @Test
    void aRestoreHoldsWhatWasDumpedAsItsFingerprintProves() throws Exception {
        String copy = newDatabase();
        RecordingLog log = new RecordingLog();

        RestoreResult result = connector.restore(target(copy), new ByteArrayInputStream(dump),
                RestoreOptions.of(DumpFormat.MYSQL_SQL), log, Cancellation.none());

        Fingerprint source = dumped.fingerprint();
        Fingerprint restoredPrint = connector.fingerprint(target(copy), Cancellation.none());
        assertThat(source.differences(restoredPrint)).isEmpty();
        assertThat(source.tables().keySet()).containsExactly("audit", "customers", "legacy", "orders");
        assertThat(source.tables().get("customers").rows()).isEqualTo(496);
        assertThat(source.tables().get("orders").rows()).isEqualTo(991);
        // Bulk inserts reserve AUTO_INCREMENT values in batches, so those are past the rows, as is the explicit jump.
        assertThat(source.sequences()).containsEntry("audit", "5001").containsEntry("invoice_numbers", "6000");
        assertThat(Long.parseLong(source.sequences().get("customers"))).isGreaterThan(501);
        assertThat(Long.parseLong(source.sequences().get("orders"))).isGreaterThan(1001);
        assertThat(source.objects()).anyMatch(o -> o.startsWith("view customer_names: "))
                .anyMatch(o -> o.startsWith("view big_orders: "))
                .anyMatch(o -> o.startsWith("procedure customer_total(): "))
                .anyMatch(o -> o.startsWith("function order_count(IN customer int(11)): returns int(11)"))
                .anyMatch(o -> o.startsWith("trigger audit_trimmed: BEFORE INSERT on audit"))
                .anyMatch(o -> o.startsWith("event audit_checked: every 1 DAY"))
                .anyMatch(o -> o.startsWith("foreign key orders.orders_customer: (customer_id) references customers (id)"))
                .anyMatch(o -> o.startsWith("column customers.shout: #18 varchar(100) null default NULL collation utf8mb4_general_ci"
                        + " extra VIRTUAL GENERATED as (ucase(`name`))"))
                .anyMatch(o -> o.startsWith("column customers.name_length: #19 int(11) null default NULL extra STORED GENERATED"
                        + " as (char_length(`name`))"))
                .anyMatch(o -> o.startsWith("index customers.by_name: BTREE (name(20), created desc)"))
                .anyMatch(o -> o.startsWith("table legacy: base table engine InnoDB collation latin1_swedish_ci"))
                .noneMatch(o -> o.contains(shop)).noneMatch(o -> o.contains(foreignUser));
        assertThat(dumpLog).contains("info: fingerprint snapshot opened")
                .anyMatch(step -> step.startsWith("info: fingerprint taken: 4 tables, "));

        assertThat(result.tool()).isEqualTo("mariadb");
        assertThat(result.toolVersion()).startsWith("10.11.");
        assertThat(result.serverVersion()).startsWith("10.11.").contains("MariaDB");
        assertThat(result.warnings()).isEmpty();
        assertThat(log.steps()).startsWith("info: connected to MariaDB " + result.serverVersion(),
                "info: rewriting DEFINER clauses to CURRENT_USER",
                "info: mariadb " + result.toolVersion() + " started",
                "info: rewrote 9 DEFINER clauses to CURRENT_USER");
        assertThat(log.steps().get(4)).startsWith("info: mariadb " + result.toolVersion() + " finished: ");

        for (String query : List.of(
                "SELECT name, email, HEX(photo), prefs, shout, name_length, seen FROM customers ORDER BY id",
                "SELECT id, customer_id, total, note FROM orders ORDER BY id",
                "SELECT id, name, total FROM big_orders ORDER BY id",
                "SELECT id, txt, HEX(txt) FROM legacy ORDER BY id",
                "SELECT order_count(7)")) {
            assertThat(rows(copy, query)).as(query).isEqualTo(rows(shop, query)).isNotEmpty();
        }
        assertThat(value(copy, "SELECT CONCAT_WS('|', name, HEX(photo), email = '', shout, name_length)"
                + " FROM customers WHERE name LIKE 'Grüße%'"))
                .isEqualTo("Grüße 🎉👩‍💻 'quoted' \\ back`tick|" + hexOfEveryByte() + "|1|GRÜßE 🎉👩‍💻 'QUOTED' \\ BACK`TICK|31");
        assertThat(value(copy, "SELECT CONCAT_WS('|', balance, ratio, tier, flags, HEX(code), bits + 0, born, seen,"
                + " created, birthday, wakes) FROM customers WHERE id = 10")).isEqualTo(
                "1.428571|3.3333333333333335|pro|a,c|0000000A|10|1911|2025-06-01 12:00:10.123456|2024-01-01 00:10:00.010"
                        + "|1970-01-11|00:06:10");
        assertThat(value(copy, "SELECT JSON_VALUE(prefs, '$.nested.a[1]') FROM customers WHERE name LIKE 'Grüße%'"))
                .isEqualTo("2.5");
        // Past every number the source's cache may have handed out, as mariadb-dump records a sequence.
        assertThat(value(copy, "SELECT NEXTVAL(invoice_numbers)")).isEqualTo("6000");

        // The objects of the dropped account were rewritten to the restoring one, so they work.
        String restorer = value(copy, "SELECT CURRENT_USER()");
        assertThat(rows("information_schema", "SELECT CONCAT(TABLE_NAME, ' ', DEFINER) FROM VIEWS"
                + " WHERE TABLE_SCHEMA = '" + copy + "' ORDER BY TABLE_NAME"))
                .containsExactly("big_orders " + restorer, "customer_names " + restorer);
        assertThat(value(copy, "SELECT COUNT(*) FROM customer_names")).isEqualTo("496");
        assertThat(value(copy, "SELECT name FROM customer_names WHERE id = 1")).isEqualTo("customer 1");
        assertThat(rows(copy, "CALL customer_total()")).containsExactly("496");
        execute(copy, "CALL add_order(7, 99.50)");
        // Both triggers fired, and the new order took the AUTO_INCREMENT value the source would have given next.
        assertThat(rows(copy, "SELECT what FROM audit WHERE id >= 5000 ORDER BY id")).containsExactly(
                value(shop, "SELECT what FROM audit WHERE id = 5000"), "order " + source.sequences().get("orders"));
        assertThat(rows("information_schema", "SELECT CONCAT(EVENT_NAME, ' ', DEFINER) FROM EVENTS"
                + " WHERE EVENT_SCHEMA = '" + copy + "' ORDER BY EVENT_NAME"))
                .containsExactly("audit_checked " + restorer, "audit_purged " + restorer);
    }

    @Test
    void keepDefinersKeepsTheDumpsAccounts() throws Exception {
        String copy = newDatabase();

        connector.restore(target(copy), new ByteArrayInputStream(dump),
                RestoreOptions.of(DumpFormat.MYSQL_SQL).withKeepDefiners(true), DumpLog.discard(), Cancellation.none());

        assertThat(value("information_schema", "SELECT DEFINER FROM VIEWS WHERE TABLE_SCHEMA = '" + copy
                + "' AND TABLE_NAME = 'customer_names'")).isEqualTo(foreignUser + "@%");
        assertThat(value("information_schema", "SELECT DEFINER FROM ROUTINES WHERE ROUTINE_SCHEMA = '" + copy
                + "' AND ROUTINE_NAME = 'customer_total'")).isEqualTo(foreignUser + "@%");
        assertThat(value("information_schema", "SELECT DEFINER FROM TRIGGERS WHERE TRIGGER_SCHEMA = '" + copy
                + "' AND TRIGGER_NAME = 'audit_trimmed'")).isEqualTo(foreignUser + "@%");
        // That account is gone: what runs as it fails, which is why rewriting is the default.
        assertThatThrownBy(() -> rows(copy, "SELECT * FROM customer_names"))
                .isInstanceOf(SQLException.class).hasMessageContaining("as a definer").hasMessageContaining("does not exist");
        assertThat(dumped.fingerprint().differences(connector.fingerprint(target(copy), Cancellation.none()))).isEmpty();
    }

    @Test
    void strictDeleteLeavesExactlyWhatTheDumpHolds() throws Exception {
        String copy = newDatabase();
        execute(copy, "CREATE TABLE stray (id INT PRIMARY KEY)", "INSERT INTO stray VALUES (1)",
                "CREATE TABLE stray_child (id INT PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES stray (id))",
                "INSERT INTO stray_child VALUES (1, 1)",
                "CREATE VIEW stray_view AS SELECT id FROM stray", "CREATE PROCEDURE stray_proc() SELECT 1",
                "CREATE FUNCTION stray_function() RETURNS INT RETURN 1",
                "CREATE EVENT stray_event ON SCHEDULE EVERY 1 DAY DO SELECT 1", "CREATE SEQUENCE stray_sequence",
                "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(10))", "INSERT INTO customers VALUES (1, 'old')");
        RecordingLog log = new RecordingLog();

        connector.restore(target(copy), new ByteArrayInputStream(dump),
                RestoreOptions.of(DumpFormat.MYSQL_SQL).withStrictDelete(true), log, Cancellation.none());

        assertThat(dumped.fingerprint().differences(connector.fingerprint(target(copy), Cancellation.none()))).isEmpty();
        assertThat(log.steps()).contains("info: strict delete: dropped 8 objects of the target");
    }

    @Test
    void replaceOverwritesWhatTheDumpHoldsAndLeavesTheRest() throws Exception {
        String copy = newDatabase();
        execute(copy, "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(10))",
                "INSERT INTO customers VALUES (1, 'old'), (9999, 'older')",
                "CREATE TABLE stray (id INT PRIMARY KEY)", "INSERT INTO stray VALUES (1)",
                "CREATE PROCEDURE add_order() SELECT 'old'");

        connector.restore(target(copy), new ByteArrayInputStream(dump), RestoreOptions.of(DumpFormat.MYSQL_SQL),
                DumpLog.discard(), Cancellation.none());

        Fingerprint restoredPrint = connector.fingerprint(target(copy), Cancellation.none());
        assertThat(dumped.fingerprint().differences(restoredPrint)).containsExactlyInAnyOrder(
                "table stray is not in the source",
                "unexpected: " + restoredPrint.objects().stream().filter(o -> o.startsWith("column stray.id")).findFirst()
                        .orElseThrow(),
                "unexpected: " + restoredPrint.objects().stream().filter(o -> o.startsWith("index stray.PRIMARY"))
                        .findFirst().orElseThrow(),
                "unexpected: " + restoredPrint.objects().stream().filter(o -> o.startsWith("table stray:")).findFirst()
                        .orElseThrow());
        assertThat(rows(copy, "SELECT name FROM customers WHERE id IN (1, 9999)")).containsExactly("customer 1");
        assertThat(rows(copy, "SELECT id FROM stray")).containsExactly("1");
    }

    @Test
    void aDumpThatFailsReportsTheClientsErrorAndATouchedTarget() throws Exception {
        String copy = newDatabase();
        String bad = "CREATE TABLE made_it (id INT);\nTHIS IS NOT SQL;\nCREATE TABLE never (id INT);\n";

        assertThatThrownBy(() -> connector.restore(target(copy), bytes(bad), RestoreOptions.of(DumpFormat.MYSQL_SQL),
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isTrue())
                .hasMessageStartingWith("mariadb exited with code 1: ERROR 1064 (42000) at line 2: You have an error in"
                        + " your SQL syntax; check the manual that corresponds to your MariaDB server version for the"
                        + " right syntax to use near 'THIS IS NOT SQL' at line 1; the target may hold part of the dump")
                .hasMessageContaining("restore the pre-restore snapshot");
        assertThat(rows(copy, "SHOW TABLES")).containsExactly("made_it");
    }

    @Test
    void anInputThatFailsStopsTheClientBeforeTheDumpsEnd() throws Exception {
        for (RuntimeException failure : List.of(new UncheckedIOException(new IOException("storage failed")),
                new IllegalStateException("checksum mismatch"))) {
            String copy = newDatabase();
            // The last statement sits within what is held back: the client must never see it.
            String text = "CREATE TABLE first_one (id INT);\n" + "-- padding\n".repeat(20_000)
                    + "CREATE TABLE last_one (id INT);\n";
            InputStream failing = new SequenceInputStream(bytes(text), new InputStream() {
                @Override
                public int read() {
                    throw failure;
                }
            });

            assertThatThrownBy(() -> connector.restore(target(copy), failing, RestoreOptions.of(DumpFormat.MYSQL_SQL),
                    DumpLog.discard(), Cancellation.none()))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isTrue())
                    .hasMessageStartingWith("reading the dump failed after ")
                    .hasMessageContaining(failure.getMessage() + "; mariadb was stopped before the end of the dump");
            assertThat(liveTool("mariadb")).isEmpty();
            assertThat(rows(copy, "SHOW TABLES")).doesNotContain("last_one");
        }
    }

    @Test
    void cancellingMidRestoreKillsTheClient() throws Exception {
        String copy = newDatabase();
        Cancellation cancellation = new Cancellation();
        BlockingDump input = new BlockingDump(dump, cancellation);
        CompletableFuture<RestoreResult> restore = CompletableFuture.supplyAsync(() -> connector.restore(target(copy),
                input, RestoreOptions.of(DumpFormat.MYSQL_SQL), DumpLog.discard(), cancellation));
        input.awaitBlocked();
        ProcessHandle client = await().atMost(Duration.ofSeconds(30)).until(() -> liveTool("mariadb").orElse(null),
                handle -> handle != null);

        cancellation.cancel();

        assertThatThrownBy(() -> restore.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(Cancellation.CancelledException.class);
        assertThat(client.isAlive()).isFalse();
        assertThat(liveTool("mariadb")).isEmpty();
    }

    @Test
    void theClientGetsTheOptionFileFirstAndThePasswordNowhereElse() throws Exception {
        String copy = newDatabase();
        String user = "custos_restore_" + Long.toHexString(System.nanoTime());
        servers.mariadbUser(user, PASSWORD, copy);
        ConnectionTarget asUser = new ConnectionTarget(DatabaseKind.MYSQL, RealServers.HOST, RealServers.MARIADB_PORT,
                copy, user, PASSWORD);
        Cancellation never = new Cancellation();
        BlockingDump input = new BlockingDump(dump, never);
        CompletableFuture<RestoreResult> restore = CompletableFuture.supplyAsync(() -> connector.restore(asUser, input,
                RestoreOptions.of(DumpFormat.MYSQL_SQL), DumpLog.discard(), never));
        Path optionFile;
        try {
            input.awaitBlocked();
            ProcessHandle client = await().atMost(Duration.ofSeconds(30)).until(() -> liveTool("mariadb").orElse(null),
                    handle -> handle != null);
            List<String> argv = cmdline(client);

            assertThat(argv.get(1)).startsWith("--defaults-extra-file=");
            assertThat(argv.subList(2, argv.size())).containsExactly("--default-character-set=utf8mb4", "--binary-mode",
                    "--max-allowed-packet=1G", "--", copy);
            assertThat(String.join(" ", argv)).doesNotContain(PASSWORD).doesNotContain("\"pw\"");
            optionFile = Path.of(argv.get(1).substring("--defaults-extra-file=".length()));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(optionFile))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(optionFile.getParent())))
                    .isEqualTo("rwx------");
            assertThat(Files.readString(optionFile)).contains("user=\"" + user + "\"",
                    "password=\"My \\\"pw\\\" #1; $HOME x\"");
            assertThat(environ(client)).contains("HOME=" + optionFile.getParent()).noneMatch(e -> e.contains(PASSWORD));
        } finally {
            input.release();
        }

        assertThat(restore.get(60, TimeUnit.SECONDS).warnings()).isEmpty();
        assertThat(optionFile).doesNotExist();
        assertThat(optionFile.getParent()).doesNotExist();
        assertThat(value(copy, "SELECT COUNT(*) FROM customers")).isEqualTo("496");
    }

    @Test
    void aWrongPasswordFailsBeforeTheTargetIsTouchedAndNeverShowsThePassword() throws Exception {
        String copy = newDatabase();
        String user = "custos_restore_" + Long.toHexString(System.nanoTime());
        servers.mariadbUser(user, PASSWORD, copy);
        String wrong = "wrong " + PASSWORD;
        ConnectionTarget asUser = new ConnectionTarget(DatabaseKind.MYSQL, RealServers.HOST, RealServers.MARIADB_PORT,
                copy, user, wrong);

        assertThatThrownBy(() -> connector.restore(asUser, new ByteArrayInputStream(dump),
                RestoreOptions.of(DumpFormat.MYSQL_SQL), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessageContaining("Access denied for user '" + user + "'")
                .message().doesNotContain(wrong).doesNotContain(PASSWORD);
    }

    @Test
    void aMissingTargetOrAnotherFormatIsRefusedUntouched() {
        String missing = RealServers.randomName();

        assertThatThrownBy(() -> connector.restore(target(missing), new ByteArrayInputStream(dump),
                RestoreOptions.of(DumpFormat.MYSQL_SQL), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("cannot connect to MySQL at 127.0.0.1:3306: Unknown database '" + missing + "'");
        assertThatThrownBy(() -> connector.restore(target(shop), new ByteArrayInputStream(dump),
                RestoreOptions.of(DumpFormat.PG_CUSTOM), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("MySQL and MariaDB restore SQL dumps of mariadb-dump or mysqldump, not PG_CUSTOM");
    }

    @Test
    void theClientsCommandHoldsNoSecret() throws Exception {
        String copy = newDatabase();
        AtomicReference<Command> restoreCommand = new AtomicReference<>();
        AtomicReference<String> fed = new AtomicReference<>();
        CommandRunner fake = (command, stdout, cancellation) -> {
            if (command.argv().contains("--version")) {
                stdout.write("mariadb  Ver 15.1 Distrib 10.11.99-MariaDB, for debian-linux-gnu (x86_64)\n"
                        .getBytes(StandardCharsets.UTF_8));
                return new CommandResult(0, "", Duration.ZERO, 0);
            }
            restoreCommand.set(command);
            fed.set(new String(command.stdin().readAllBytes(), StandardCharsets.UTF_8));
            return new CommandResult(0, "", Duration.ZERO, 0);
        };

        RestoreResult result = new MysqlConnector(fake).restore(target(copy),
                bytes("/*!50013 DEFINER=`someone`@`%` SQL SECURITY DEFINER */\n"), RestoreOptions.of(DumpFormat.MYSQL_SQL),
                DumpLog.discard(), Cancellation.none());

        Command command = restoreCommand.get();
        assertThat(command.argv().get(0)).endsWith("/mariadb");
        assertThat(command.argv().get(1)).startsWith("--defaults-extra-file=");
        assertThat(command.argv().subList(2, command.argv().size())).containsExactly("--default-character-set=utf8mb4",
                "--binary-mode", "--max-allowed-packet=1G", "--", copy);
        assertThat(command.environment()).containsOnlyKeys("HOME");
        assertThat(fed.get()).isEqualTo("/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */\n");
        assertThat(result.toolVersion()).isEqualTo("10.11.99");
    }

    @Test
    void aClientThatCannotStartLeavesTheTargetUntouched() {
        String copy = newDatabase();
        CommandRunner fake = (command, stdout, cancellation) -> {
            if (command.argv().contains("--version")) {
                stdout.write("mariadb  Ver 15.1 Distrib 10.11.99-MariaDB\n".getBytes(StandardCharsets.UTF_8));
                return new CommandResult(0, "", Duration.ZERO, 0);
            }
            throw new IOException("Cannot run program \"mariadb\": error=13, Permission denied");
        };

        assertThatThrownBy(() -> new MysqlConnector(fake).restore(target(copy), new ByteArrayInputStream(dump),
                RestoreOptions.of(DumpFormat.MYSQL_SQL), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("mariadb failed: Cannot run program \"mariadb\": error=13, Permission denied");
    }

    @Test
    void aDumpFromTheOtherFlavourIsWarnedAbout() {
        String copy = newDatabase();
        RecordingLog log = new RecordingLog();

        RestoreResult result = connector.restore(target(copy), bytes("CREATE TABLE t (id INT);\n"),
                RestoreOptions.of(DumpFormat.MYSQL_SQL).withSourceServerVersion("8.0.36"), log, Cancellation.none());

        assertThat(result.warnings()).containsExactly("the dump comes from MySQL 8.0.36 and goes into MariaDB "
                + result.serverVersion() + ": statements only one of them knows will fail");
        assertThat(log.steps()).contains("warning: " + result.warnings().get(0));
    }

    /** A fresh database for one restore, dropped after the class. */
    private String newDatabase() {
        String name = RealServers.randomName();
        connector.createDatabase(target(name), TIMEOUT);
        restored.add(name);
        return name;
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String hexOfEveryByte() {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            hex.append(String.format("%02X", i));
        }
        return hex.toString();
    }

    /**
     * A dump that hands out its first half, then blocks until released or cancelled (it then fails), so a test can
     * look at the client while it waits for more.
     */
    private static final class BlockingDump extends InputStream {
        private final InputStream first;
        private final InputStream rest;
        private final CountDownLatch blocked = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private final Cancellation cancellation;

        BlockingDump(byte[] dump, Cancellation cancellation) {
            this.first = new ByteArrayInputStream(dump, 0, dump.length / 2);
            this.rest = new ByteArrayInputStream(dump, dump.length / 2, dump.length - dump.length / 2);
            this.cancellation = cancellation;
            cancellation.onCancel(released::countDown);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = first.read(b, off, len);
            if (n > 0) {
                return n;
            }
            blocked.countDown();
            try {
                if (!released.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("the test never released the dump");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
            if (cancellation.isCancelled()) {
                throw new InterruptedIOException("cancelled");
            }
            return rest.read(b, off, len);
        }

        void awaitBlocked() throws InterruptedException {
            if (!blocked.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the restore never read the first half of the dump");
            }
        }

        void release() {
            released.countDown();
        }
    }
}
