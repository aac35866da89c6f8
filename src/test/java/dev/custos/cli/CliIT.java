package dev.custos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.custos.backups.BackupFlows;
import dev.custos.engines.RealServers;
import dev.custos.support.Api;
import dev.custos.support.CustosProcess;
import dev.custos.support.Sql;

/**
 * The disaster: Custos backed up a PostgreSQL, a MariaDB and a SQLite database (encrypted, zstd), then its catalog
 * was lost. With the server stopped, the tools in its jar, run as a user would run them (a child JVM in the old
 * working folder, so {@code ./data/master.key} is found by default), decrypt and restore the files and rebuild the
 * history, after which a new Custos lists and verifies the backups again.
 */
class CliIT {

    private static final RealServers servers = new RealServers();
    private static final String ROWS = "SELECT id, name, price, tags FROM items ORDER BY id";

    /** The old installation's working folder: Custos ran here on {@code ./data}. */
    private static Path home;
    private static String pgSource;
    private static String mariadbSource;
    private static JsonNode pgBackup;
    private static JsonNode mariadbBackup;
    private static Path sqliteSource;
    private static JsonNode sqliteBackup;

    @BeforeAll
    static void backUpThenLoseTheCatalog() throws Exception {
        home = Files.createTempDirectory("custos-cli-");
        Path data = home.resolve("data");
        pgSource = servers.postgresDatabase();
        Sql.postgres(pgSource, "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[])",
                "INSERT INTO items SELECT g, 'item ' || g || ' ' || md5(g::text), g * 1.25, ARRAY['t' || (g % 7)]"
                        + " FROM generate_series(1, 5000) g",
                "CREATE VIEW cheap AS SELECT id FROM items WHERE price < 10");
        mariadbSource = servers.mariadbDatabase();
        Sql.mariadb(mariadbSource, "CREATE TABLE items (id int PRIMARY KEY, name varchar(200) NOT NULL,"
                        + " price decimal(10,2), tags varchar(20))",
                "INSERT INTO items SELECT seq, concat('item ', seq, ' ', md5(seq)), seq * 1.25, concat('t', seq % 7)"
                        + " FROM seq_1_to_3000");
        sqliteSource = Files.createTempDirectory("custos-cli-sqlite-").resolve("app.db");
        Sql.sqlite(sqliteSource.toString(), "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, tags TEXT)",
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)"
                        + " INSERT INTO items SELECT n, 'item ' || n, n * 1.25, 't' || (n % 7) FROM g");
        try (CustosProcess custos = CustosProcess.start(data, List.of("-Xmx256m"))) {
            Api api = custos.api();
            pgBackup = backUp(api, api.post("/api/databases", Api.json("name", "shop", "database_type", "postgresql",
                    "host", "127.0.0.1", "port", 5432, "database_name", pgSource, "username", "postgres", "password", "",
                    "compression", "zstd", "encrypted", true)));
            mariadbBackup = backUp(api, api.post("/api/databases", Api.json("name", "shop-mariadb",
                    "database_type", "mysql", "host", "127.0.0.1", "port", 3306, "database_name", mariadbSource,
                    "username", "root", "password", "", "compression", "zstd", "encrypted", true)));
            sqliteBackup = backUp(api, api.post("/api/databases", Api.json("name", "app", "database_type", "sqlite",
                    "database_name", sqliteSource.toString(), "compression", "zstd", "encrypted", true)));
        }
        for (String file : List.of("custos.db", "custos.db-wal", "custos.db-shm")) {
            Files.deleteIfExists(data.resolve(file));
        }
    }

    private static JsonNode backUp(Api api, Api.Response registered) {
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        String databaseId = registered.json().get("database").get("id").stringValue();
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        assertThat(backup.get("blob_name").stringValue()).endsWith(".zst.enc");
        assertThat(backup.get("encryption_key_id").stringValue()).startsWith("key-");
        return backup;
    }

    @AfterAll
    static void drop() {
        servers.dropAll();
    }

    private static Path object(JsonNode backup) {
        return home.resolve("data/backups").resolve(backup.get("blob_name").stringValue());
    }

    @Test
    void restoreFileRecreatesThePostgresDatabaseFromTheFileAlone() throws Exception {
        String target = servers.newPostgresName();

        Run run = custos(home, "restore-file", object(pgBackup).toString(), "--type", "postgresql", "--database", target,
                "--host", "127.0.0.1", "--user", "postgres", "--create-database");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("Restored");
        assertThat(Sql.postgresRows(target, ROWS)).hasSize(5000).isEqualTo(Sql.postgresRows(pgSource, ROWS));
        assertThat(Sql.postgresRows(target, "SELECT count(*) FROM cheap")).containsExactly("7");

        Run again = custos(home, "restore-file", object(pgBackup).toString(), "--type", "postgresql", "--database",
                target, "--host", "127.0.0.1", "--user", "postgres");
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
        assertThat(again.stderr()).contains("is not empty", "--confirm " + target);
    }

    @Test
    void restoreFileRecreatesTheMariadbDatabaseFromTheFileAlone() throws Exception {
        String target = servers.newMariadbName();

        Run run = custos(home, "restore-file", object(mariadbBackup).toString(), "--type", "mysql", "--database", target,
                "--host", "127.0.0.1", "--user", "root", "--create-database");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("Verified", "Restored");
        assertThat(Sql.mariadbRows(target, ROWS)).hasSize(3000).isEqualTo(Sql.mariadbRows(mariadbSource, ROWS));
    }

    @Test
    void restoreFileRecreatesTheSqliteDatabaseFromTheFileAlone() throws Exception {
        Path target = Files.createTempDirectory("custos-cli-sqlite-restored-").resolve("app.db");

        Run run = custos(home, "restore-file", object(sqliteBackup).toString(), "--type", "sqlite", "--database",
                target.toString(), "--create-database");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(Sql.sqliteRows(target.toString(), ROWS)).hasSize(2000)
                .isEqualTo(Sql.sqliteRows(sqliteSource.toString(), ROWS));
    }

    @Test
    void restoreFileRefusesABackupOfAnotherKindBeforeTouchingAnything() throws Exception {
        Run run = custos(home, "restore-file", object(pgBackup).toString(), "--type", "mysql", "--database", "anything",
                "--host", "127.0.0.1", "--user", "root");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.stderr()).contains("backup of a postgresql database; --type is mysql");
    }

    @Test
    void decryptGivesThePgDumpArchiveThatPgRestoreReads() throws Exception {
        Path work = Files.createTempDirectory("custos-cli-decrypt-");
        Path dump = work.resolve("shop.dump");

        Run run = custos(home, "decrypt", object(pgBackup).toString(), "--output", dump.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).isEmpty();
        byte[] head = Arrays.copyOf(Files.readAllBytes(dump), 5);
        assertThat(new String(head)).isEqualTo("PGDMP");
        assertThat(Files.size(dump)).isEqualTo(pgBackup.get("raw_size_bytes").longValue());
        String listing = BackupFlows.run(List.of("pg_restore", "-l", dump.toString()), null);
        assertThat(listing).contains("TABLE public items", "VIEW public cheap");

        Path piped = work.resolve("piped.dump");
        Run toStdout = custos(home, List.of(), piped, "decrypt", object(pgBackup).toString(), "--output", "-");
        assertThat(toStdout.exitCode()).as(toStdout.toString()).isZero();
        assertThat(Files.readAllBytes(piped)).isEqualTo(Files.readAllBytes(dump));
    }

    @Test
    void aFlippedByteMakesDecryptExitTwoAndLeaveNoOutput() throws Exception {
        Path work = Files.createTempDirectory("custos-cli-flipped-");
        Path copy = work.resolve(object(pgBackup).getFileName());
        Files.copy(object(pgBackup), copy);
        Files.copy(Path.of(object(pgBackup) + ".manifest.json"), Path.of(copy + ".manifest.json"));
        try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw")) {
            long middle = file.length() / 2;
            file.seek(middle);
            int b = file.read();
            file.seek(middle);
            file.write(b ^ 0x40);
        }
        Path out = work.resolve("out");
        Files.createDirectories(out);

        Run run = custos(home, "decrypt", copy.toString(), "--output", out.resolve("shop.dump").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.stderr()).contains("failed verification", "Nothing was written");
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void catalogRebuildBringsBackTheHistoryForANewCustos() throws Exception {
        Path newHome = Files.createTempDirectory("custos-cli-rebuilt-");
        Path newData = newHome.resolve("data");
        Files.createDirectories(newData);
        Files.copy(home.resolve("data/master.key"), newData.resolve("master.key"));
        Path oldStorage = home.resolve("data/backups");

        Run run = custos(newHome, "catalog", "rebuild", "--storage", oldStorage.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("Manifests found:          3", "Backups added:            3",
                "Encryption keys restored: 1", "The master key opens every encryption key");
        assertThat(newData.resolve("custos.db")).exists();

        try (CustosProcess custos = CustosProcess.start(newData,
                List.of("-Xmx256m", "-Dcustos.storage.local.path=" + oldStorage))) {
            Api api = custos.api();
            Api.Response list = api.get("/api/backups");
            assertThat(list.status()).as(list.toString()).isEqualTo(200);
            Map<String, JsonNode> byId = new java.util.HashMap<>();
            list.json().get("backups").forEach(b -> byId.put(b.get("id").stringValue(), b));
            assertThat(byId).containsOnlyKeys(pgBackup.get("id").stringValue(), mariadbBackup.get("id").stringValue(),
                    sqliteBackup.get("id").stringValue());
            JsonNode pg = byId.get(pgBackup.get("id").stringValue());
            assertThat(pg.get("status").stringValue()).isEqualTo("completed");
            for (String field : List.of("checksum_sha256", "blob_name", "file_size_bytes", "raw_size_bytes",
                    "encryption_key_id", "database_id", "database_type", "compression", "file_format",
                    "server_version", "dump_tool_version", "started_at", "completed_at", "has_fingerprint")) {
                assertThat(pg.get(field)).as(field).isEqualTo(pgBackup.get(field));
            }

            Api.Response verify = api.post("/api/backups/" + pgBackup.get("id").stringValue() + "/verify", null);
            assertThat(verify.status()).as(verify.toString()).isEqualTo(202);
            String restoreId = verify.json().get("restore_id").stringValue();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> BackupFlows.FINAL.contains(api.get("/api/restores/" + restoreId).json()
                            .get("status").stringValue()));
            JsonNode verified = api.get("/api/restores/" + restoreId).json();
            assertThat(verified.get("status").stringValue()).as(verified.toString()).isEqualTo("completed");
            JsonNode after = BackupFlows.backup(api, pgBackup.get("id").stringValue());
            assertThat(after.get("verification_status").stringValue()).isEqualTo("passed");
        }
    }

    /** One run of the tools: its exit code and what it printed. */
    record Run(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    private static Run custos(Path workingDir, String... args) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile("custos-cli-out", ".txt");
        Run run = custos(workingDir, List.of(), stdout, args);
        return new Run(run.exitCode(), Files.readString(stdout), run.stderr());
    }

    /**
     * {@code java -cp … dev.custos.app.CustosApplication ARGS}, as {@code java -jar custos.jar ARGS} runs it: the main
     * classes and dependencies only, no terminal, and none of this JVM's Custos settings in its environment.
     */
    private static Run custos(Path workingDir, List<String> jvmOptions, Path stdout, String... args)
            throws IOException, InterruptedException {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, "dev.custos.app.CustosApplication"));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("custos-cli-err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("CUSTOS_"));
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("custos " + String.join(" ", args) + " ran for 5 minutes");
        }
        return new Run(process.exitValue(), "", Files.readString(stderr));
    }
}
