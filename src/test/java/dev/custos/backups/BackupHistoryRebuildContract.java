package dev.custos.backups;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.audit.AuditLog;
import dev.custos.audit.AuditProperties;
import dev.custos.catalog.JsonColumns;
import dev.custos.pipeline.CompressionSpec;
import dev.custos.pipeline.Manifest;
import dev.custos.pipeline.ManifestCodec;
import dev.custos.pipeline.SealedBackups;
import dev.custos.storage.LocalStorageBackend;

/**
 * What a catalog rebuild must do on every catalog: subclasses give a freshly migrated one. No Spring context: the
 * rebuild is built from a connection, as the disaster tools build it.
 */
abstract class BackupHistoryRebuildContract {

    static final Instant NOW = Instant.parse("2025-03-01T10:00:00.000Z");

    @TempDir
    Path dir;

    JdbcClient jdbc;
    BackupHistoryRebuild rebuild;
    LocalStorageBackend storage;
    SealedBackups backups;
    ManifestCodec codec = new ManifestCodec();

    /** A catalog migrated to the current schema, empty. */
    abstract DataSource catalog() throws Exception;

    /** Flyway's location of the catalog's migrations. */
    abstract String vendor();

    @BeforeEach
    void freshCatalog() throws Exception {
        DataSource dataSource = catalog();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration/" + vendor()).load().migrate();
        jdbc = JdbcClient.create(dataSource);
        JsonMapper json = JsonMapper.builder().build();
        rebuild = new BackupHistoryRebuild(jdbc, new JsonColumns(json), codec,
                AuditLog.forCatalog(dataSource, json, Clock.fixed(NOW, ZoneOffset.UTC),
                        AuditProperties.defaults(dir.resolve("audit-signing.key"))), Clock.fixed(NOW, ZoneOffset.UTC));
        storage = new LocalStorageBackend(dir.resolve("backups"));
        backups = SealedBackups.withNewMasterKey(dir.resolve("master.key"));
    }

    @Test
    void everyManifestWhoseFileIsThereBecomesACompletedBackupAgain() throws IOException {
        JsonNode fingerprint = codec.tree("{\"tables\":{\"public.items\":{\"rows\":3,\"hash\":\"ab\"}},\"objects\":{}}");
        Manifest encrypted = backups.store(storage, "postgresql/db-a/20240115_020000.dump.zst.enc", dump(1000),
                CompressionSpec.DEFAULT, true, fingerprint);
        Manifest plain = backups.store(storage, "postgresql/db-a/20240116_020000.dump", dump(500),
                CompressionSpec.NONE, false, null);
        storage.write("postgresql/db-a/made-elsewhere.dump", out -> out.write(1));
        storage.write("uploads/restore-x.upload", out -> out.write(1));

        BackupHistoryRebuild.Report report = rebuild.rebuild(storage);

        assertThat(report.manifests()).isEqualTo(2);
        assertThat(report.inserted()).isEqualTo(2);
        assertThat(report.skipped()).isZero();
        assertThat(report.keysRestored()).isEqualTo(1);
        assertThat(report.objectsWithoutManifest()).containsExactly("postgresql/db-a/made-elsewhere.dump");
        assertThat(report.problems()).isEmpty();
        assertThat(report.keysets()).containsExactly(Map.entry(backups.keyId(), backups.sealedKeyset()));

        BackupRepository repository = new BackupRepository(jdbc, new JsonColumns(JsonMapper.builder().build()));
        Backup b = repository.find(encrypted.backupId()).orElseThrow();
        assertThat(b.status()).isEqualTo("completed");
        assertThat(b.blobName()).isEqualTo(encrypted.objectKey());
        assertThat(b.checksumSha256()).isEqualTo(encrypted.sha256());
        assertThat(b.fileSizeBytes()).isEqualTo(encrypted.storedBytes());
        assertThat(b.rawSizeBytes()).isEqualTo(1000);
        assertThat(b.databaseId()).isEqualTo("db-test");
        assertThat(b.databaseAlias()).isEqualTo("Shop");
        assertThat(b.databaseType()).isEqualTo("postgresql");
        assertThat(b.compression()).isEqualTo("zstd");
        assertThat(b.compressionLevel()).isEqualTo(3);
        assertThat(b.fileFormat()).isEqualTo("dump.zst.enc");
        assertThat(b.encrypted()).isTrue();
        assertThat(b.encryptionKeyId()).isEqualTo(backups.keyId());
        assertThat(b.serverVersion()).isEqualTo("15.8");
        assertThat(b.dumpTool()).isEqualTo("pg_dump");
        assertThat(b.dumpToolVersion()).isEqualTo("15.8");
        assertThat(b.warnings()).containsExactly("a warning");
        assertThat(b.startedAt()).isEqualTo(encrypted.startedAt());
        assertThat(b.completedAt()).isEqualTo(encrypted.completedAt());
        assertThat(b.createdAt()).isEqualTo(encrypted.startedAt());
        assertThat(b.triggeredBy()).isEqualTo(BackupService.RECOVERED);
        assertThat(b.hasFingerprint()).isTrue();
        assertThat(codec.tree(repository.fingerprint(b.id()).orElseThrow())).isEqualTo(fingerprint);
        Backup p = repository.find(plain.backupId()).orElseThrow();
        assertThat(p.encrypted()).isFalse();
        assertThat(p.encryptionKeyId()).isNull();
        assertThat(p.hasFingerprint()).isFalse();

        Map<String, Object> key = jdbc.sql("SELECT keyset, active, created_at, retired_at FROM encryption_keys WHERE id = ?")
                .param(backups.keyId()).query().singleRow();
        assertThat(key.get("keyset")).isEqualTo(backups.sealedKeyset());
        assertThat(isTrue(key.get("active"))).isFalse();
        assertThat(((Number) key.get("created_at")).longValue()).isEqualTo(encrypted.startedAt().toEpochMilli());
        assertThat(((Number) key.get("retired_at")).longValue()).isEqualTo(NOW.toEpochMilli());
        assertThat(jdbc.sql("SELECT details FROM audit_events WHERE action = 'backup_history_rebuilt'")
                .query(String.class).single()).contains("\"inserted\":2", "\"keys_restored\":1");
    }

    @Test
    void runningItTwiceAddsNothingTwice() throws IOException {
        backups.store(storage, "postgresql/db-a/20240115_020000.dump.zst.enc", dump(100), CompressionSpec.DEFAULT, true,
                null);
        rebuild.rebuild(storage);

        BackupHistoryRebuild.Report again = rebuild.rebuild(storage);

        assertThat(again.inserted()).isZero();
        assertThat(again.skipped()).isEqualTo(1);
        assertThat(again.keysRestored()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM backups").query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM encryption_keys").query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void aBackupTheCatalogStillKnowsIsLeftAsItIs() throws IOException {
        Manifest m = backups.store(storage, "postgresql/db-a/20240115_020000.dump", dump(100), CompressionSpec.NONE,
                false, null);
        jdbc.sql("""
                INSERT INTO backups (id, database_id, database_type, status, triggered_by, blob_name, created_at)
                VALUES ('backup-known', 'db-a', 'postgresql', 'completed', 'manual', ?, 0)
                """).param(m.objectKey()).update();

        BackupHistoryRebuild.Report report = rebuild.rebuild(storage);

        assertThat(report.inserted()).isZero();
        assertThat(report.skipped()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT id || '|' || triggered_by FROM backups").query(String.class).list())
                .containsExactly("backup-known|manual");
    }

    @Test
    void aKeyTheCatalogHasIsNotReplacedAndANewActiveOneStaysActive() throws IOException {
        backups.store(storage, "postgresql/db-a/20240115_020000.dump.zst.enc", dump(100), CompressionSpec.DEFAULT, true,
                null);
        jdbc.sql("INSERT INTO encryption_keys (id, keyset, active, created_at) VALUES ('key-new', 'v1:x', TRUE, 1)").update();
        jdbc.sql("INSERT INTO encryption_keys (id, keyset, active, created_at) VALUES (?, 'v1:kept', FALSE, 1)")
                .param(backups.keyId()).update();

        BackupHistoryRebuild.Report report = rebuild.rebuild(storage);

        assertThat(report.keysRestored()).isZero();
        assertThat(jdbc.sql("SELECT keyset FROM encryption_keys WHERE id = ?").param(backups.keyId())
                .query(String.class).single()).isEqualTo("v1:kept");
        assertThat(jdbc.sql("SELECT id FROM encryption_keys WHERE active = TRUE").query(String.class).list())
                .containsExactly("key-new");
    }

    @Test
    void aManifestWithoutItsFileOrWithAFileOfAnotherSizeIsReportedNotRestored() throws IOException {
        Manifest gone = backups.store(storage, "postgresql/db-a/20240115_020000.dump", dump(100), CompressionSpec.NONE,
                false, null);
        Manifest cut = backups.store(storage, "postgresql/db-a/20240116_020000.dump", dump(100), CompressionSpec.NONE,
                false, null);
        storage.delete(gone.objectKey());
        Path cutFile = dir.resolve("backups").resolve(cut.objectKey());
        Files.write(cutFile, new byte[10]);
        storage.write("postgresql/db-a/broken.dump.manifest.json", out -> out.write("{not json".getBytes()));
        storage.write("postgresql/db-a/broken.dump", out -> out.write(1));

        BackupHistoryRebuild.Report report = rebuild.rebuild(storage);

        assertThat(report.manifests()).isEqualTo(3);
        assertThat(report.inserted()).isZero();
        assertThat(report.problems()).hasSize(3).anySatisfy(p -> assertThat(p).contains(gone.objectKey(), "missing"))
                .anySatisfy(p -> assertThat(p).contains(cut.objectKey(), "10 bytes", "custos decrypt"))
                .anySatisfy(p -> assertThat(p).contains("broken.dump.manifest.json", "not valid"));
        assertThat(jdbc.sql("SELECT count(*) FROM backups").query(Long.class).single()).isZero();
    }

    @Test
    void anEmptyStorageRebuildsAnEmptyHistory() throws IOException {
        BackupHistoryRebuild.Report report = rebuild.rebuild(storage);

        assertThat(report).isEqualTo(new BackupHistoryRebuild.Report(0, 0, 0, 0, List.of(), List.of(), Map.of()));
    }

    private static boolean isTrue(Object value) {
        return value instanceof Boolean b ? b : ((Number) value).intValue() != 0;
    }

    private static byte[] dump(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i % 7);
        }
        return bytes;
    }
}
