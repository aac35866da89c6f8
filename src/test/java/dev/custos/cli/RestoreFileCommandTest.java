package dev.custos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.custos.catalog.CustosProperties;
import dev.custos.connectors.Cancellation;
import dev.custos.connectors.ConnectionCheck;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.Connectors;
import dev.custos.connectors.DatabaseConnector;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import dev.custos.connectors.TargetState;
import dev.custos.pipeline.CompressionSpec;
import dev.custos.pipeline.SealedBackups;
import dev.custos.storage.LocalStorageBackend;

/**
 * The order and the checks of {@code custos restore-file}, against a connector that records what it is asked: what
 * reaches the target and what does not, whatever the real tools do. CliIT restores with the real ones.
 */
class RestoreFileCommandTest {

    @TempDir
    Path dir;

    private SealedBackups backups;
    private byte[] dump;
    private Path pgObject;
    private Path mysqlObject;
    private final Recording connector = new Recording(DatabaseKind.POSTGRESQL);
    private final Recording mysql = new Recording(DatabaseKind.MYSQL);

    @BeforeEach
    void backUp() throws IOException {
        backups = SealedBackups.withNewMasterKey(dir.resolve("data/master.key"));
        LocalStorageBackend storage = new LocalStorageBackend(dir.resolve("data/backups"));
        dump = new byte[2 * 1024 * 1024 + 3];
        for (int i = 0; i < dump.length; i++) {
            dump[i] = (byte) (i * 31 % 251);
        }
        backups.store(storage, "postgresql/db-test/1.dump.zst.enc", dump, CompressionSpec.DEFAULT, true, null);
        backups.store(storage, "mysql/db-test/1.sql.zst.enc", dump, CompressionSpec.DEFAULT, true, null, "mysql");
        pgObject = dir.resolve("data/backups/postgresql/db-test/1.dump.zst.enc");
        mysqlObject = dir.resolve("data/backups/mysql/db-test/1.sql.zst.enc");
    }

    @Test
    void aMissingDatabaseIsCreatedThenRestoredWithTheServersOptions() {
        connector.state = new TargetState(false, 0, List.of(), "15.8");

        int code = restore(pgObject, "postgresql", "--create-database", "--no-owner");

        assertThat(code).isZero();
        assertThat(connector.calls).containsExactly("inspect shop", "create shop", "restore shop");
        assertThat(connector.restored.toByteArray()).isEqualTo(dump);
        assertThat(connector.options).isEqualTo(new RestoreOptions(DumpFormat.PG_CUSTOM, "15.8", true, false, false, true));
        assertThat(connector.target.password()).isEqualTo("secret");
    }

    @Test
    void aMissingDatabaseIsNotCreatedUnlessAsked() {
        connector.state = new TargetState(false, 0, List.of(), "15.8");

        assertThat(restore(pgObject, "postgresql")).isEqualTo(Failure.FAILED);

        assertThat(connector.calls).containsExactly("inspect shop");
        assertThat(err()).contains("does not exist", "--create-database");
    }

    @Test
    void aDatabaseThatIsNotEmptyNeedsItsNameConfirmedOrStrictDelete() {
        connector.state = new TargetState(true, 12, List.of(), "15.8");

        assertThat(restore(pgObject, "postgresql")).isEqualTo(Failure.FAILED);
        assertThat(restore(pgObject, "postgresql", "--confirm", "other")).isEqualTo(Failure.FAILED);
        assertThat(connector.calls).containsOnly("inspect shop");
        assertThat(err()).contains("is not empty (12 objects)", "--confirm shop", "Nothing was changed");

        assertThat(restore(pgObject, "postgresql", "--confirm", "shop")).isZero();
        assertThat(connector.options.strictDelete()).isFalse();
        assertThat(restore(pgObject, "postgresql", "--strict-delete")).isZero();
        assertThat(connector.options.strictDelete()).isTrue();
        assertThat(connector.calls).doesNotContain("create shop");
    }

    @Test
    void aDatabaseOthersAreConnectedToIsLeftAlone() {
        connector.state = new TargetState(true, 0, List.of("pid 42 app psql user alice"), "15.8");

        assertThat(restore(pgObject, "postgresql")).isEqualTo(Failure.FAILED);

        assertThat(connector.calls).containsExactly("inspect shop");
        assertThat(err()).contains("in use by 1 other session(s): pid 42 app psql user alice");
    }

    @Test
    void aFailedRestoreDropsTheDatabaseItCreatedAndReportsTheToolsWords() {
        connector.state = new TargetState(false, 0, List.of(), "15.8");
        connector.failure = new RestoreException("pg_restore: error: could not execute query", true);

        assertThat(restore(pgObject, "postgresql", "--create-database")).isEqualTo(Failure.FAILED);

        assertThat(connector.calls).containsExactly("inspect shop", "create shop", "restore shop", "drop shop");
        assertThat(err()).contains("pg_restore: error: could not execute query", "Dropped");
    }

    @Test
    void aDamagedFileFailsThePostgresRestoreAsItIsReadWithExitTwo() throws IOException {
        connector.state = new TargetState(false, 0, List.of(), "15.8");
        flipByte(pgObject);

        assertThat(restore(pgObject, "postgresql", "--create-database")).isEqualTo(Failure.INTEGRITY);

        assertThat(connector.calls).containsExactly("inspect shop", "create shop", "restore shop", "drop shop");
    }

    @Test
    void aDamagedFileNeverReachesAMysqlTarget() throws IOException {
        mysql.state = new TargetState(false, 0, List.of(), "10.11");
        flipByte(mysqlObject);

        int code = restore(mysqlObject, "mysql", "--create-database", "--keep-definers");

        assertThat(code).isEqualTo(Failure.INTEGRITY);
        assertThat(mysql.calls).containsExactly("inspect shop");
        assertThat(err()).contains("Verifying the whole file", "Nothing was restored");
    }

    @Test
    void aMysqlRestoreGetsTheVerifiedFileAndItsOptions() {
        mysql.state = new TargetState(true, 0, List.of(), "10.11");

        assertThat(restore(mysqlObject, "mysql", "--keep-definers")).isZero();

        assertThat(mysql.calls).containsExactly("inspect shop", "restore shop");
        assertThat(mysql.restored.toByteArray()).isEqualTo(dump);
        assertThat(mysql.options).isEqualTo(new RestoreOptions(DumpFormat.MYSQL_SQL, "15.8", true, false, true, false));
        assertThat(err()).contains("Verified: ");
    }

    @Test
    void aToolThatStopsReadingEarlyStillHasTheFileCheckedToItsEnd() throws IOException {
        connector.state = new TargetState(true, 0, List.of(), "15.8");
        connector.readAtMost = 10;

        assertThat(restore(pgObject, "postgresql")).isZero();

        try (RandomAccessFile file = new RandomAccessFile(pgObject.toFile(), "rw")) {
            file.setLength(file.length() - 1);
        }
        assertThat(restore(pgObject, "postgresql")).isEqualTo(Failure.INTEGRITY);
    }

    @Test
    void aBackupOfAnotherKindIsRefusedBeforeAnyConnection() {
        assertThat(restore(pgObject, "mysql")).isEqualTo(Failure.FAILED);

        assertThat(mysql.calls).isEmpty();
        assertThat(err()).contains("backup of a postgresql database; --type is mysql");
    }

    private final Terminals terminal = new Terminals(Map.of("CUSTOS_TARGET_PASSWORD", "secret"), null);

    private String err() {
        return terminal.err();
    }

    private int restore(Path object, String type, String... more) {
        List<String> args = new ArrayList<>(List.of(object.toString(), "--type", type, "--database", "shop", "--user",
                "restorer", "--master-key-file", backups.masterKeyFile().toString()));
        args.addAll(List.of(more));
        RestoreFileCommand command = new RestoreFileCommand(new Cli.Invocation(List.of(), terminal.terminal));
        new picocli.CommandLine(command).parseArgs(args.toArray(String[]::new));
        CustosProperties custos = new CustosProperties(dir.resolve("data"), null, null, null, null, Duration.ofSeconds(5));
        try {
            return command.restore(custos, new Connectors(List.of(connector, mysql)));
        } catch (IOException | RuntimeException e) {
            terminal.terminal.err().println(Failure.describe(e));
            return Failure.exitCode(e);
        }
    }

    private static void flipByte(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long middle = f.length() / 2;
            f.seek(middle);
            int b = f.read();
            f.seek(middle);
            f.write(b ^ 0x08);
        }
    }

    /** A connector that records its calls and reads the dump as a tool would. */
    private static final class Recording implements DatabaseConnector {

        private final DatabaseKind kind;
        final List<String> calls = new ArrayList<>();
        TargetState state;
        RestoreException failure;
        int readAtMost = Integer.MAX_VALUE;
        ByteArrayOutputStream restored;
        RestoreOptions options;
        ConnectionTarget target;

        Recording(DatabaseKind kind) {
            this.kind = kind;
        }

        @Override
        public DatabaseKind kind() {
            return kind;
        }

        @Override
        public TargetState inspect(ConnectionTarget target, Duration timeout) {
            calls.add("inspect " + target.databaseName());
            return state;
        }

        @Override
        public void createDatabase(ConnectionTarget target, Duration timeout) {
            calls.add("create " + target.databaseName());
        }

        @Override
        public void dropDatabase(ConnectionTarget target, Duration timeout) {
            calls.add("drop " + target.databaseName());
        }

        @Override
        public RestoreResult restore(ConnectionTarget target, InputStream in, RestoreOptions options, DumpLog log,
                Cancellation cancellation) {
            calls.add("restore " + target.databaseName());
            this.options = options;
            this.target = target;
            restored = new ByteArrayOutputStream();
            try {
                byte[] buffer = new byte[8192];
                int total = 0;
                for (int n; total < readAtMost && (n = in.read(buffer, 0, Math.min(buffer.length, readAtMost - total))) >= 0; ) {
                    restored.write(buffer, 0, n);
                    total += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (failure != null) {
                throw failure;
            }
            log.info("restored");
            return new RestoreResult(state.serverVersion(), "fake_restore", "1.0", List.of());
        }

        @Override
        public ConnectionCheck testConnection(ConnectionTarget target, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> listDatabases(ConnectionTarget target, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DumpResult dump(ConnectionTarget target, OutputStream out, DumpLog log, Cancellation cancellation,
                boolean fingerprint) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Fingerprint fingerprint(ConnectionTarget target, Cancellation cancellation) {
            throw new UnsupportedOperationException();
        }
    }
}
