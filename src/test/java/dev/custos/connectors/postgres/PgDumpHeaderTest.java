package dev.custos.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.RestoreException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Reading where a dump came from out of its first bytes, as pg_dump's WriteHead writes them. */
class PgDumpHeaderTest {

    @Test
    void readsTheVersionsOfAPostgres15Archive() {
        byte[] head = archive(1, 14, false, "shop", "15.20 (Debian 15.20-0+deb12u1)", "15.20 (Debian 15.20-0+deb12u1)");

        PgDumpHeader header = PgDumpHeader.read(DumpFormat.PG_CUSTOM, head, head.length);

        assertThat(header).isEqualTo(new PgDumpHeader("15.20 (Debian 15.20-0+deb12u1)",
                "15.20 (Debian 15.20-0+deb12u1)", "1.14", true));
    }

    @Test
    void readsArchivesWhoseCompressionIsOneByte() {
        // Archive 1.15 (PostgreSQL 16) replaced the compression level int with an algorithm byte.
        byte[] head = archive(1, 16, true, "a name with spaces and ünicode", "17.2", "17.2");

        PgDumpHeader header = PgDumpHeader.read(DumpFormat.PG_CUSTOM, head, head.length);

        assertThat(header.serverVersion()).isEqualTo("17.2");
        assertThat(header.pgDumpVersion()).isEqualTo("17.2");
        assertThat(header.archiveVersion()).isEqualTo("1.16");
    }

    @Test
    void aHeaderCutShortIsATruncatedBackup() {
        byte[] head = archive(1, 14, false, "shop", "15.20", "15.20");

        int headerEnd = head.length - 5; // the test's archive ends with five bytes of TOC
        for (int length : new int[] {5, 12, 40, headerEnd - 1}) {
            assertThatThrownBy(() -> PgDumpHeader.read(DumpFormat.PG_CUSTOM, head, length))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                    .hasMessage("the backup ends inside its archive header (" + length + " bytes): it is truncated");
        }
    }

    @Test
    void aFormatThatDoesNotMatchTheBytesIsRefused() {
        byte[] archive = archive(1, 14, false, "shop", "15.20", "15.20");
        byte[] sql = "SELECT 1;\n".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> PgDumpHeader.read(DumpFormat.PG_CUSTOM, sql, sql.length))
                .isInstanceOf(RestoreException.class)
                .hasMessage("the backup is not a pg_dump custom-format archive: it does not start with \"PGDMP\"");
        assertThatThrownBy(() -> PgDumpHeader.read(DumpFormat.PG_PLAIN, archive, archive.length))
                .isInstanceOf(RestoreException.class)
                .hasMessage("the backup is a pg_dump custom-format archive, not a plain SQL dump");
        assertThatThrownBy(() -> PgDumpHeader.read(DumpFormat.MYSQL_SQL, sql, sql.length))
                .isInstanceOf(RestoreException.class);
    }

    @Test
    void aTarArchiveIsNotACustomOne() {
        byte[] head = archive(1, 14, false, "shop", "15.20", "15.20");
        head[10] = 3; // archTar

        assertThatThrownBy(() -> PgDumpHeader.read(DumpFormat.PG_CUSTOM, head, head.length))
                .hasMessage("the archive is not in pg_dump's custom format (format 3)");
    }

    @Test
    void readsThePlainDumpsCommentLines() {
        byte[] head = ("--\n-- PostgreSQL database dump\n--\n\n\\restrict k3oJU2iAjJbVqxc\n\n"
                + "-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)\n"
                + "-- Dumped by pg_dump version 16.4\n\nSET statement_timeout = 0;\n")
                .getBytes(StandardCharsets.UTF_8);

        PgDumpHeader header = PgDumpHeader.read(DumpFormat.PG_PLAIN, head, head.length);

        assertThat(header).isEqualTo(new PgDumpHeader("15.20 (Debian 15.20-0+deb12u1)", "16.4", null, true));
    }

    @Test
    void anSqlFileOfAnotherOriginSaysNothing() {
        byte[] head = ("CREATE TABLE t (a text);\nINSERT INTO t VALUES ('\n-- Dumped from database version 99.1\n');\n")
                .getBytes(StandardCharsets.UTF_8);

        PgDumpHeader header = PgDumpHeader.read(DumpFormat.PG_PLAIN, head, head.length);

        assertThat(header).isEqualTo(new PgDumpHeader(null, null, null, false));
    }

    @Test
    void readsVersionsAsDumpsAndManifestsWriteThem() {
        assertThat(PgVersion.parse("15.20 (Debian 15.20-0+deb12u1)")).contains(new PgVersion(150020, "15.20"));
        assertThat(PgVersion.parse("99.0")).contains(new PgVersion(990000, "99.0"));
        assertThat(PgVersion.parse("9.6.24")).contains(new PgVersion(90624, "9.6.24"));
        assertThat(PgVersion.parse("17beta1").orElseThrow().majorText()).isEqualTo("17");
        assertThat(PgVersion.parse("not a version")).isEmpty();
        assertThat(PgVersion.parse(null)).isEmpty();
        assertThat(PgVersion.parse("99999999999999.1")).isEmpty();
    }

    @Test
    void theTestsArchiveMatchesWhatPgDump15Writes() {
        // The first bytes of an archive pg_dump 15.20 wrote with -Z0: magic, 1.14.0, sizes, format, compression 0, time.
        byte[] real = {'P', 'G', 'D', 'M', 'P', 1, 14, 0, 4, 8, 1, 0, 0, 0, 0, 0, 0, 44, 0, 0, 0, 0, 58, 0, 0, 0};
        byte[] ours = archive(1, 14, false, "x", "15", "15");

        assertThat(Arrays.copyOf(ours, real.length)).isEqualTo(real);
    }

    /** A custom-format header as pg_dump's WriteHead writes it (ints: a sign byte, then 4 bytes LSB first). */
    static byte[] archive(int major, int minor, boolean compressionByte, String database, String server,
            String pgDump) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("PGDMP".getBytes(StandardCharsets.US_ASCII));
        out.write(major);
        out.write(minor);
        out.write(0);
        out.write(4); // int size
        out.write(8); // offset size
        out.write(1); // archCustom
        if (compressionByte) {
            out.write(0);
        } else {
            writeInt(out, 0); // compression level: Custos dumps with --compress=0
        }
        for (int value : new int[] {44, 58, 12, 23, 10, 126, 0}) {
            writeInt(out, value);
        }
        writeString(out, database);
        writeString(out, server);
        writeString(out, pgDump);
        // The TOC follows; the header reader must not need it.
        out.writeBytes(new byte[] {0, 42, 0, 0, 0});
        return out.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value < 0 ? 1 : 0);
        int magnitude = Math.abs(value);
        for (int i = 0; i < 4; i++) {
            out.write((magnitude >> (8 * i)) & 0xff);
        }
    }

    private static void writeString(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeInt(out, bytes.length);
        out.writeBytes(bytes);
    }
}
