package dev.custos.connectors;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The shape of a dump a connector can restore. Custos's own backups record theirs ({@code dump}, {@code sql},
 * {@code sqlite}); a file uploaded from outside is recognised by {@link #sniff} from its first bytes.
 */
public enum DumpFormat {
    /** pg_dump -Fc: starts with "PGDMP". */
    PG_CUSTOM("dump"),
    /** pg_dump plain SQL text, for psql. */
    PG_PLAIN("sql"),
    /** mariadb-dump / mysqldump SQL text. */
    MYSQL_SQL("sql"),
    /** a SQLite database file: starts with "SQLite format 3\0". */
    SQLITE_FILE("sqlite");

    private static final byte[] PGDMP = "PGDMP".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SQLITE = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /** How many leading bytes {@link #sniff} needs. */
    public static final int SNIFF_BYTES = 16;

    private final String extension;

    DumpFormat(String extension) {
        this.extension = extension;
    }

    /** The uncompressed dump's extension, the first part of a backup's {@code file_format}. */
    public String extension() {
        return extension;
    }

    /**
     * The format of a dump from its first bytes, for a database of {@code kind}: binary formats by their magic
     * number, text by the kind that reads it. Empty when the bytes cannot be a dump for that kind (a SQLite file
     * offered to PostgreSQL, a pg_dump archive offered to MariaDB, gzip or zstd bytes still compressed).
     */
    public static Optional<DumpFormat> sniff(DatabaseKind kind, byte[] head, int length) {
        byte[] start = Arrays.copyOf(head, Math.max(0, Math.min(length, head.length)));
        boolean pg = startsWith(start, PGDMP);
        boolean sqlite = startsWith(start, SQLITE);
        return switch (kind) {
            case POSTGRESQL -> pg ? Optional.of(PG_CUSTOM) : !sqlite && looksLikeText(start) ? Optional.of(PG_PLAIN) : Optional.empty();
            case MYSQL -> !pg && !sqlite && looksLikeText(start) ? Optional.of(MYSQL_SQL) : Optional.empty();
            case SQLITE -> sqlite ? Optional.of(SQLITE_FILE) : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** The format of one of Custos's own backups of {@code kind}. */
    public static DumpFormat ofBackup(DatabaseKind kind) {
        return switch (kind) {
            case POSTGRESQL -> PG_CUSTOM;
            case MYSQL -> MYSQL_SQL;
            case SQLITE -> SQLITE_FILE;
            default -> throw new IllegalArgumentException("No backups of " + kind.value() + " databases");
        };
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /**
     * SQL dumps start with comments or statements: well-formed UTF-8 without control characters other than line
     * breaks and tabs. Compressed bytes fail on their headers' control bytes (gzip 1f 8b, lz4 04 22 4d 18, zstd's frame
     * header after 28 b5 2f fd), encrypted ones because random bytes above 0x7f hardly ever form UTF-8: merely
     * refusing control bytes let about one still-encrypted backup in eight pass for SQL. A character cut off by the end
     * of the sniffed bytes is fine; a UTF-8 BOM passes.
     */
    private static boolean looksLikeText(byte[] bytes) {
        CharBuffer chars = CharBuffer.allocate(bytes.length);
        CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes), chars, false);
        if (result.isError()) {
            return false;
        }
        chars.flip();
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
