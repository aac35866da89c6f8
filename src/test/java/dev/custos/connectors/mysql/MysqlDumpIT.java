package dev.custos.connectors.mysql;

import static dev.custos.connectors.DumpTestSupport.cmdline;
import static dev.custos.connectors.DumpTestSupport.environ;
import static dev.custos.connectors.DumpTestSupport.liveTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.Command;
import dev.custos.connectors.CommandResult;
import dev.custos.connectors.CommandRunner;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.DumpTestSupport.GatedOutput;
import dev.custos.connectors.DumpTestSupport.RecordingLog;
import dev.custos.connectors.ProcessCommandRunner;
import dev.custos.connectors.SecretFile;
import dev.custos.engines.RealServers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mariadb.jdbc.Driver;

/** mariadb-dump through the connector against the machine's MariaDB 10.11, restored with the mariadb client. */
class MysqlDumpIT {

    private static final String HOST = RealServers.HOST;
    private static final int PORT = RealServers.MARIADB_PORT;
    /** Quotes, '#', ';', '$' and spaces: what an option file or a shell would mangle if written carelessly. */
    private static final String PASSWORD = "My \"pw\" #1; $HOME x";

    private static final RealServers servers = new RealServers();
    private static String shop;
    private static String big;
    private static String shopUser;
    private static String bigUser;

    private final MysqlConnector connector = new MysqlConnector(new ProcessCommandRunner());

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabases() throws SQLException {
        shop = servers.mariadbDatabase();
        execute(shop,
                "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
                        + " payload VARBINARY(300), price DECIMAL(10, 2)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                "CREATE TABLE item_log (id INT AUTO_INCREMENT PRIMARY KEY, item_id INT NOT NULL, note VARCHAR(200))"
                        + " ENGINE=InnoDB",
                "CREATE TABLE legacy_counters (name VARCHAR(50) PRIMARY KEY, hits INT) ENGINE=MyISAM",
                "CREATE TABLE scratchpad (k INT PRIMARY KEY) ENGINE=MEMORY",
                "CREATE TRIGGER items_logged AFTER INSERT ON items FOR EACH ROW"
                        + " INSERT INTO item_log (item_id, note) VALUES (NEW.id, CONCAT('added ', NEW.name))",
                "CREATE PROCEDURE add_item(IN item_name VARCHAR(100)) INSERT INTO items (name) VALUES (item_name)",
                "CREATE FUNCTION item_count() RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM items)",
                "CREATE EVENT nightly_cleanup ON SCHEDULE EVERY 1 DAY DO DELETE FROM item_log WHERE note IS NULL",
                "CREATE VIEW cheap_items AS SELECT id, name FROM items WHERE price < 10",
                "INSERT INTO items (name, payload, price) SELECT CONCAT('item ', seq), UNHEX(SHA2(seq, 256)), seq / 7"
                        + " FROM seq_1_to_1000",
                "INSERT INTO legacy_counters VALUES ('home', 42), ('about', 7)");
        try (Connection connection = connect(shop);
                PreparedStatement insert = connection.prepareStatement("INSERT INTO items (name, payload) VALUES (?, ?)")) {
            byte[] everyByte = new byte[256];
            for (int i = 0; i < everyByte.length; i++) {
                everyByte[i] = (byte) i;
            }
            insert.setString(1, "Grüße 🎉 'quoted' \\ backslash");
            insert.setBytes(2, everyByte);
            insert.executeUpdate();
            insert.setString(1, "no payload");
            insert.setBytes(2, null);
            insert.executeUpdate();
        }
        shopUser = "custos_dump_" + Long.toHexString(System.nanoTime());
        servers.mariadbUser(shopUser, PASSWORD, shop);
        // Reading routine bodies written by another account needs this (MariaDB 11.3+ has SHOW CREATE ROUTINE).
        grantProcRead(shopUser);
        big = servers.mariadbDatabase();
        execute(big, "CREATE TABLE filler (id INT PRIMARY KEY, pad CHAR(64)) ENGINE=InnoDB",
                "INSERT INTO filler SELECT seq, SHA2(seq, 256) FROM seq_1_to_100000");
        bigUser = "custos_big_" + Long.toHexString(System.nanoTime());
        servers.mariadbUser(bigUser, PASSWORD, big);
    }

    @AfterAll
    static void dropDatabases() {
        servers.dropAll();
    }

    @Test
    void aDumpRestoresIntoADatabaseOfAnotherName() throws Exception {
        Path file = dir.resolve("shop.sql");
        RecordingLog log = new RecordingLog();

        DumpResult result;
        try (OutputStream out = Files.newOutputStream(file)) {
            result = connector.dump(target(shop, shopUser, PASSWORD), out, log, Cancellation.none());
        }

        assertThat(result.fileFormat()).isEqualTo("sql");
        assertThat(result.tool()).isEqualTo("mariadb-dump");
        assertThat(result.toolVersion()).startsWith("10.11.");
        assertThat(result.serverVersion()).startsWith("10.11.").contains("MariaDB");
        String sql = Files.readString(file);
        assertThat(sql).doesNotContain("CREATE DATABASE").doesNotContain("\nUSE ").doesNotContain(PASSWORD);
        assertThat(log.steps()).startsWith("info: connected to MariaDB " + result.serverVersion(),
                "warning: table `legacy_counters` uses MyISAM: not snapshot-consistent",
                "warning: table `scratchpad` uses MEMORY: not snapshot-consistent",
                "info: mariadb-dump " + result.toolVersion() + " started");
        assertThat(log.steps().get(4)).startsWith("info: mariadb-dump " + result.toolVersion() + " finished: "
                + Files.size(file) + " bytes in ");

        String copy = servers.mariadbDatabase();
        restore(file, copy);

        for (String query : List.of(
                "SELECT id, name, HEX(payload), price FROM items ORDER BY id",
                "SELECT id, item_id, note FROM item_log ORDER BY id",
                "SELECT name, hits FROM legacy_counters ORDER BY name",
                "SELECT id, name FROM cheap_items ORDER BY id",
                "SELECT item_count()")) {
            assertThat(rows(copy, query)).as(query).isEqualTo(rows(shop, query)).isNotEmpty();
        }
        assertThat(rows(copy, "SELECT HEX(payload) FROM items WHERE name LIKE 'Grüße%'"))
                .containsExactly(hexOfEveryByte());
        assertThat(rows("information_schema", "SELECT TRIGGER_NAME FROM TRIGGERS WHERE TRIGGER_SCHEMA = '" + copy + "'"))
                .containsExactly("items_logged");
        assertThat(rows("information_schema", "SELECT ROUTINE_NAME FROM ROUTINES WHERE ROUTINE_SCHEMA = '" + copy
                + "' ORDER BY ROUTINE_NAME")).containsExactly("add_item", "item_count");
        assertThat(rows("information_schema", "SELECT EVENT_NAME FROM EVENTS WHERE EVENT_SCHEMA = '" + copy + "'"))
                .containsExactly("nightly_cleanup");
        // The restored trigger and procedure work, not only exist.
        execute(copy, "CALL add_item('after restore')");
        assertThat(rows(copy, "SELECT note FROM item_log ORDER BY id DESC LIMIT 1")).containsExactly("added after restore");
    }

    @Test
    void tablesThatTransactionsCannotFreezeAreWarnedAbout() {
        RecordingLog log = new RecordingLog();

        DumpResult result = connector.dump(target(shop, shopUser, PASSWORD), OutputStream.nullOutputStream(), log,
                Cancellation.none());

        assertThat(result.warnings()).containsExactly(
                "table `legacy_counters` uses MyISAM: not snapshot-consistent",
                "table `scratchpad` uses MEMORY: not snapshot-consistent");
        assertThat(log.steps()).contains(
                "warning: table `legacy_counters` uses MyISAM: not snapshot-consistent",
                "warning: table `scratchpad` uses MEMORY: not snapshot-consistent");
    }

    @Test
    void theOptionFileIsPrivateWhileTheDumpRunsAndGoneAfterIt() throws Exception {
        GatedOutput out = new GatedOutput();
        CompletableFuture<DumpResult> dump = CompletableFuture.supplyAsync(() -> connector.dump(
                target(big, bigUser, PASSWORD), out, DumpLog.discard(), Cancellation.none()));
        Path optionFile;
        try {
            out.awaitFirstWrite();
            ProcessHandle tool = liveTool("mariadb-dump").orElseThrow(() -> new AssertionError("no live mariadb-dump"));
            List<String> argv = cmdline(tool);

            assertThat(argv.get(1)).startsWith("--defaults-extra-file=");
            assertThat(String.join(" ", argv)).doesNotContain(PASSWORD).doesNotContain("\"pw\"");
            optionFile = Path.of(argv.get(1).substring("--defaults-extra-file=".length()));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(optionFile))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(optionFile.getParent())))
                    .isEqualTo("rwx------");
            assertThat(Files.readString(optionFile)).contains("password=\"My \\\"pw\\\" #1; $HOME x\"");
            assertThat(environ(tool)).contains("HOME=" + optionFile.getParent());
        } finally {
            out.open();
        }

        assertThat(dump.get(60, TimeUnit.SECONDS).warnings()).isEmpty();
        assertThat(out.bytes()).isGreaterThan(1_000_000);
        assertThat(optionFile).doesNotExist();
        assertThat(optionFile.getParent()).doesNotExist();
    }

    @Test
    void cancellingMidDumpStopsTheToolAndRemovesTheOptionFile() throws Exception {
        GatedOutput out = new GatedOutput();
        Cancellation cancellation = new Cancellation();
        CompletableFuture<DumpResult> dump = CompletableFuture.supplyAsync(
                () -> connector.dump(target(big, bigUser, PASSWORD), out, DumpLog.discard(), cancellation));
        ProcessHandle tool;
        Path optionFile;
        try {
            out.awaitFirstWrite();
            tool = liveTool("mariadb-dump").orElseThrow(() -> new AssertionError("no live mariadb-dump"));
            optionFile = Path.of(cmdline(tool).get(1).substring("--defaults-extra-file=".length()));

            cancellation.cancel();
        } finally {
            out.open();
        }

        assertThatThrownBy(() -> dump.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(Cancellation.CancelledException.class);
        assertThat(tool.isAlive()).isFalse();
        assertThat(liveTool("mariadb-dump")).isEmpty();
        assertThat(optionFile).doesNotExist();
    }

    @Test
    void aWrongPasswordFailsWithTheServersWordsAndNeverShowsThePassword() {
        String wrong = "wrong " + PASSWORD;

        assertThatThrownBy(() -> connector.dump(target(shop, shopUser, wrong), OutputStream.nullOutputStream(),
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOf(DumpException.class)
                .hasMessageContaining("Access denied for user '" + shopUser + "'")
                .message().doesNotContain(wrong).doesNotContain(PASSWORD);
    }

    @Test
    void aMissingDatabaseFailsWithTheServersMessage() {
        String missing = RealServers.randomName();

        assertThatThrownBy(() -> connector.dump(target(missing, "root", null), OutputStream.nullOutputStream(),
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOf(DumpException.class)
                .hasMessage("cannot connect to MySQL at 127.0.0.1:3306: Unknown database '" + missing + "'");
    }

    @Test
    void aRoutineTheUserCannotReadFailsTheDumpWithTheToolsMessage() {
        String user = "custos_noproc_" + Long.toHexString(System.nanoTime());
        servers.mariadbUser(user, PASSWORD, shop);

        assertThatThrownBy(() -> connector.dump(target(shop, user, PASSWORD), OutputStream.nullOutputStream(),
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOf(DumpException.class)
                .hasMessageStartingWith("mariadb-dump exited with code 2: ")
                // Functions come before procedures in a dump, so the first one the user cannot read is item_count.
                .hasMessageEndingWith(user + " has insufficient privileges to SHOW CREATE FUNCTION `item_count`!");
    }

    @Test
    void theClientReadsBackEveryAwkwardValueOfTheOptionFile() throws Exception {
        String awkward = " lead \"dq\" 'sq' back\\slash #hash ;semi\ttab trail ";
        ConnectionTarget target = new ConnectionTarget(DatabaseKind.MYSQL, "db.example", 3307, "x", "u s'er", awkward);

        try (SecretFile options = SecretFile.create(dir, "client.cnf", MysqlOptionFile.render(target))) {
            Process print = new ProcessBuilder("mariadb-dump", "--defaults-extra-file=" + options.path(),
                    "--print-defaults").redirectErrorStream(true).start();
            String printed = new String(print.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(print.waitFor()).isZero();

            assertThat(printed).contains("--user=u s'er ", "--password=" + awkward + " ", "--host=db.example ",
                    "--port=3307 ", "--protocol=TCP");
        }
    }

    @Test
    void theToolGetsTheOptionFileFirstAndNoPasswordAnywhereElse() {
        AtomicReference<String> fileWhileRunning = new AtomicReference<>();
        AtomicReference<String> permissionsWhileRunning = new AtomicReference<>();
        AtomicReference<Command> dumpCommand = new AtomicReference<>();
        CommandRunner fake = (command, stdout, cancellation) -> {
            if (command.argv().contains("--version")) {
                stdout.write("mariadb-dump  Ver 10.19 Distrib 10.11.99-MariaDB, for debian-linux-gnu (x86_64)\n"
                        .getBytes(StandardCharsets.UTF_8));
                return new CommandResult(0, "", Duration.ZERO, 0);
            }
            dumpCommand.set(command);
            Path file = Path.of(command.argv().get(1).substring("--defaults-extra-file=".length()));
            fileWhileRunning.set(Files.readString(file));
            permissionsWhileRunning.set(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            stdout.write("-- MariaDB dump".getBytes(StandardCharsets.UTF_8));
            return new CommandResult(0, "", Duration.ZERO, 15);
        };

        DumpResult result = new MysqlConnector(fake).dump(target(shop, shopUser, PASSWORD), OutputStream.nullOutputStream(),
                DumpLog.discard(), Cancellation.none());

        Command command = dumpCommand.get();
        assertThat(command.argv().get(0)).endsWith("/mariadb-dump");
        assertThat(command.argv().get(1)).startsWith("--defaults-extra-file=");
        assertThat(command.argv().subList(2, command.argv().size())).containsExactly("--single-transaction",
                "--routines", "--triggers", "--events", "--hex-blob", "--quick", "--max-allowed-packet=1G", "--", shop);
        assertThat(String.join(" ", command.argv())).doesNotContain(PASSWORD);
        assertThat(command.environment().values()).doesNotContain(PASSWORD);
        assertThat(fileWhileRunning.get()).contains("user=\"" + shopUser + "\"", "host=\"127.0.0.1\"", "port=3306");
        assertThat(permissionsWhileRunning.get()).isEqualTo("rw-------");
        assertThat(Path.of(command.argv().get(1).substring("--defaults-extra-file=".length()))).doesNotExist();
        assertThat(result.toolVersion()).isEqualTo("10.11.99");
    }

    private static ConnectionTarget target(String database, String user, String password) {
        return new ConnectionTarget(DatabaseKind.MYSQL, HOST, PORT, database, user, password);
    }

    private static String hexOfEveryByte() {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            hex.append(String.format("%02X", i));
        }
        return hex.toString();
    }

    private static void restore(Path file, String database) throws Exception {
        Process restore = new ProcessBuilder("mariadb", "--host=" + HOST, "--port=" + PORT, "--user=root", database)
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        String output = new String(restore.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(restore.waitFor()).as(output).isZero();
    }

    private static List<String> rows(String database, String query) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            ResultSetMetaData columns = result.getMetaData();
            while (result.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    values.add(result.getString(i));
                }
                rows.add(String.join("|", values));
            }
        }
        return rows;
    }

    private static void execute(String database, String... statements) throws SQLException {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static void grantProcRead(String user) throws SQLException {
        for (String host : List.of("%", "localhost")) {
            execute("mysql", "GRANT SELECT ON mysql.proc TO '" + user + "'@'" + host + "'");
        }
    }

    private static Connection connect(String database) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", "root");
        Connection connection = new Driver().connect("jdbc:mariadb://" + HOST + ":" + PORT + "/", login);
        connection.setCatalog(database);
        return connection;
    }

}
