package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which dumps each kind recognises from their first bytes, and which it refuses. */
class DumpFormatTest {

    private static final byte[] PG_CUSTOM_HEAD = concat("PGDMP".getBytes(StandardCharsets.US_ASCII),
            new byte[] {1, 16, 0, 4, 8, 1, 1, 1, 0, 0, 0, 0, 0, 0});
    private static final byte[] SQLITE_HEAD = concat("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII),
            new byte[] {16, 0, 1, 1, 0, 64, 32, 32});
    private static final String PG_SQL = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n";
    private static final String MARIADB_SQL = "/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19  Distrib 10.11.6\n";

    @Test
    void aPgDumpArchiveIsPostgresCustomFormatAndNothingElse() {
        assertThat(sniff(DatabaseKind.POSTGRESQL, PG_CUSTOM_HEAD)).contains(DumpFormat.PG_CUSTOM);
        assertThat(sniff(DatabaseKind.MYSQL, PG_CUSTOM_HEAD)).isEmpty();
        assertThat(sniff(DatabaseKind.SQLITE, PG_CUSTOM_HEAD)).isEmpty();
    }

    @Test
    void aSqliteFileIsASqliteFileAndNothingElse() {
        assertThat(sniff(DatabaseKind.SQLITE, SQLITE_HEAD)).contains(DumpFormat.SQLITE_FILE);
        assertThat(sniff(DatabaseKind.POSTGRESQL, SQLITE_HEAD)).isEmpty();
        assertThat(sniff(DatabaseKind.MYSQL, SQLITE_HEAD)).isEmpty();
    }

    @Test
    void sqlTextIsReadByTheKindItIsOfferedTo() {
        for (String sql : new String[] {PG_SQL, MARIADB_SQL, "\uFEFFCREATE TABLE café (x int);\r\n\tINSERT …"}) {
            byte[] head = sql.getBytes(StandardCharsets.UTF_8);
            assertThat(sniff(DatabaseKind.POSTGRESQL, head)).as(sql).contains(DumpFormat.PG_PLAIN);
            assertThat(sniff(DatabaseKind.MYSQL, head)).as(sql).contains(DumpFormat.MYSQL_SQL);
            assertThat(sniff(DatabaseKind.SQLITE, head)).as(sql).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "zstd", "lz4"})
    void bytesStillCompressedAreRefusedByEveryKind(String compressor) throws IOException {
        for (String sql : new String[] {PG_SQL, MARIADB_SQL, PG_SQL.repeat(100), "x", "SELECT 1;"}) {
            for (byte[] original : new byte[][] {sql.getBytes(StandardCharsets.UTF_8), PG_CUSTOM_HEAD, SQLITE_HEAD}) {
                byte[] head = Arrays.copyOf(compress(compressor, original), DumpFormat.SNIFF_BYTES);
                for (DatabaseKind kind : DatabaseKind.values()) {
                    assertThat(sniff(kind, head)).as("%s of %s for %s: %s", compressor, sql.length(), kind,
                            HexFormat.ofDelimiter(" ").formatHex(head)).isEmpty();
                }
            }
        }
    }

    /**
     * A Custos backup still encrypted starts with Tink's header: its length (0x28), then random salt. Random bytes
     * without control bytes passed for SQL text about one time in eight before the check for well-formed UTF-8; these
     * heads all did, the first taken from a real AES256_GCM_HKDF_1MB encryption.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "28 72 82 46 fc f2 b0 66 95 98 50 c4 95 8b 6e 91",
        "28 e3 cc c8 b6 e4 cb 49 b7 55 9b 44 b9 59 30 6c",
        "28 54 cc a0 7c 68 2f 51 d6 3c 48 f7 4d e0 91 f9",
        "28 9b 9e f3 b8 56 c8 74 8a b9 73 25 dd b2 70 5a",
    })
    void bytesStillEncryptedAreRefused(String hex) {
        byte[] head = HexFormat.ofDelimiter(" ").parseHex(hex);

        assertThat(sniff(DatabaseKind.POSTGRESQL, head)).isEmpty();
        assertThat(sniff(DatabaseKind.MYSQL, head)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "41 c3 a9 41",             // é
        "e6 97 a5 e6 9c ac",       // 日本
        "f0 9f 98 80 0a",          // an emoji, then a newline
        "2d 2d 20 e6 97",          // a character cut off by the end of the sniffed bytes
    })
    void wellFormedUtf8IsText(String hex) {
        assertThat(sniff(DatabaseKind.MYSQL, HexFormat.ofDelimiter(" ").parseHex(hex))).contains(DumpFormat.MYSQL_SQL);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "28 b5 2f fd 53 45 4c 45 43 54", // zstd's magic number, then "SELECT"
        "2d 2d 20 b5 41",                // a continuation byte without its lead
        "41 c0 af 41",                   // an overlong '/'
        "41 ed a0 80 41",                // a UTF-16 surrogate
        "41 ff 41",                      // a byte UTF-8 never uses
        "c3 41",                         // a lead byte followed by no continuation
    })
    void malformedUtf8IsNoText(String hex) {
        assertThat(sniff(DatabaseKind.MYSQL, HexFormat.ofDelimiter(" ").parseHex(hex))).isEmpty();
        assertThat(sniff(DatabaseKind.POSTGRESQL, HexFormat.ofDelimiter(" ").parseHex(hex))).isEmpty();
    }

    @Test
    void binaryNoiseIsNoSqlText() {
        byte[] head = {'-', '-', ' ', 0, 1, 2, 3, 'x'};

        assertThat(sniff(DatabaseKind.POSTGRESQL, head)).isEmpty();
        assertThat(sniff(DatabaseKind.MYSQL, head)).isEmpty();
    }

    @Test
    void onlyTheGivenLengthCounts() {
        byte[] head = Arrays.copyOf(SQLITE_HEAD, 64);

        assertThat(DumpFormat.sniff(DatabaseKind.SQLITE, head, 10)).isEmpty();
        assertThat(DumpFormat.sniff(DatabaseKind.SQLITE, head, DumpFormat.SNIFF_BYTES)).contains(DumpFormat.SQLITE_FILE);
        assertThat(DumpFormat.sniff(DatabaseKind.SQLITE, SQLITE_HEAD, 1000)).contains(DumpFormat.SQLITE_FILE);
        assertThat(DumpFormat.sniff(DatabaseKind.SQLITE, SQLITE_HEAD, -1)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, names = {"SQLSERVER", "AZURE_SQL"})
    void kindsWithoutRestoresRecogniseNothing(DatabaseKind kind) {
        assertThat(sniff(kind, PG_CUSTOM_HEAD)).isEmpty();
        assertThat(sniff(kind, SQLITE_HEAD)).isEmpty();
        assertThat(sniff(kind, PG_SQL.getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThatThrownBy(() -> DumpFormat.ofBackup(kind)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void custosBackupsHaveTheirKindsFormat() {
        assertThat(DumpFormat.ofBackup(DatabaseKind.POSTGRESQL)).isEqualTo(DumpFormat.PG_CUSTOM);
        assertThat(DumpFormat.ofBackup(DatabaseKind.MYSQL)).isEqualTo(DumpFormat.MYSQL_SQL);
        assertThat(DumpFormat.ofBackup(DatabaseKind.SQLITE)).isEqualTo(DumpFormat.SQLITE_FILE);
        assertThat(DumpFormat.PG_CUSTOM.extension()).isEqualTo("dump");
        assertThat(DumpFormat.PG_PLAIN.extension()).isEqualTo("sql");
        assertThat(DumpFormat.MYSQL_SQL.extension()).isEqualTo("sql");
        assertThat(DumpFormat.SQLITE_FILE.extension()).isEqualTo("sqlite");
    }

    private static Optional<DumpFormat> sniff(DatabaseKind kind, byte[] bytes) {
        byte[] head = Arrays.copyOf(bytes, Math.min(bytes.length, DumpFormat.SNIFF_BYTES));
        return DumpFormat.sniff(kind, head, head.length);
    }

    private static byte[] compress(String compressor, byte[] original) throws IOException {
        if (compressor.equals("zstd")) {
            return Zstd.compress(original, 3);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var compressing = compressor.equals("gzip") ? new GZIPOutputStream(out) : new LZ4FrameOutputStream(out)) {
            compressing.write(original);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
