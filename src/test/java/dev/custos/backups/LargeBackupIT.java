package dev.custos.backups;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.custos.engines.RealServers;
import dev.custos.support.Api;
import dev.custos.support.CustosProcess;
import dev.custos.support.Sql;

/**
 * A database larger than 2 GiB backed up by a Custos whose heap is capped at 256 MB: the dump streams through
 * compression and hashing into storage, and the stored object's SHA-256 is the one recorded.
 */
class LargeBackupIT {

    private static final long TWO_GIB = 2L * 1024 * 1024 * 1024;
    private static final RealServers servers = new RealServers();

    @AfterAll
    static void drop() {
        servers.dropAll();
    }

    @Test
    void moreThanTwoGibibytesWithA256MegabyteHeap() throws Exception {
        String source = servers.postgresDatabase();
        // 2.3 million rows of 992 characters: too short for TOAST to compress, so the dump is as large as the data.
        Sql.postgres(source, "CREATE UNLOGGED TABLE big (id int, body text)",
                "INSERT INTO big SELECT g, repeat(md5(g::text), 31) FROM generate_series(1, 2300000) g");

        Path dataDir = Files.createTempDirectory("custos-large");
        try (CustosProcess custos = CustosProcess.start(dataDir, List.of("-Xmx256m"))) {
            Api api = custos.api();
            String databaseId = BackupFlows.registerPostgres(api, "large", source, "zstd");
            JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));

            assertThat(backup.get("raw_size_bytes").longValue()).isGreaterThan(TWO_GIB);
            Path stored = dataDir.resolve("backups").resolve(backup.get("blob_name").stringValue());
            assertThat(Files.size(stored)).isEqualTo(backup.get("file_size_bytes").longValue());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(stored), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(backup.get("checksum_sha256").stringValue());
            assertThat(Files.readString(custos.log())).doesNotContain("OutOfMemoryError");
        }
    }
}
