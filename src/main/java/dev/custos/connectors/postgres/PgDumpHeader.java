package dev.custos.connectors.postgres;

import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.RestoreException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a dump says about where it came from, read from its first bytes before anything is restored: a dump from a
 * newer PostgreSQL than the target must be refused before the target is touched, and pg_restore must be at least
 * as new as the pg_dump that wrote the archive.
 *
 * <p>A custom-format archive starts with a fixed header (pg_dump's {@code WriteHead}): "PGDMP", the archive version
 * (major, minor, revision bytes), the sizes of an int and an offset, the format, the compression (one int before
 * archive 1.15, one byte since), seven ints of the creation time, then length-prefixed strings: the database name,
 * the server's version and pg_dump's own. A plain dump names both versions in comment lines near its top.
 *
 * @param serverVersion  version of the server that was dumped as the dump records it ("15.8 (Debian 15.8-1)"), null
 *                       when the dump does not say
 * @param pgDumpVersion  version of the pg_dump that wrote it, null when the dump does not say
 * @param archiveVersion custom format: the archive format's version ("1.14"); plain: null
 * @param madeByPgDump   plain format: the dump starts the way pg_dump starts its SQL dumps, so it also ends the way
 *                       they end; custom format: always true
 */
record PgDumpHeader(String serverVersion, String pgDumpVersion, String archiveVersion, boolean madeByPgDump) {

    /** Leading bytes read to find the header; a custom header is a few hundred bytes, a plain one a few lines. */
    static final int HEAD_BYTES = 8 * 1024;

    private static final byte[] MAGIC = "PGDMP".getBytes(StandardCharsets.US_ASCII);
    /** pg_dump's archCustom; tar and directory archives are not streamed to a restore. */
    private static final int FORMAT_CUSTOM = 1;
    private static final String PLAIN_FIRST_COMMENT = "-- PostgreSQL database dump";
    private static final String PLAIN_SERVER = "-- Dumped from database version ";
    private static final String PLAIN_PG_DUMP = "-- Dumped by pg_dump version ";

    /**
     * Reads the header of a dump of {@code format} from its first {@code length} bytes (all of them if the dump is
     * shorter than {@link #HEAD_BYTES}).
     *
     * @throws RestoreException (target untouched) the bytes are not the start of a dump of that format
     */
    static PgDumpHeader read(DumpFormat format, byte[] head, int length) {
        boolean archive = length >= MAGIC.length && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
        return switch (format) {
            case PG_CUSTOM -> {
                if (!archive) {
                    throw new RestoreException("the backup is not a pg_dump custom-format archive: it does not start"
                            + " with \"PGDMP\"", false);
                }
                yield custom(head, length);
            }
            case PG_PLAIN -> {
                if (archive) {
                    throw new RestoreException("the backup is a pg_dump custom-format archive, not a plain SQL dump",
                            false);
                }
                yield plain(head, length);
            }
            default -> throw new RestoreException("PostgreSQL restores pg_dump dumps, not " + format, false);
        };
    }

    private static PgDumpHeader custom(byte[] head, int length) {
        Bytes bytes = new Bytes(head, length);
        bytes.skip(MAGIC.length);
        int major = bytes.u8();
        int minor = bytes.u8();
        int revision = major > 1 || minor > 0 ? bytes.u8() : 0;
        int version = archiveVersion(major, minor, revision);
        if (major != 1) {
            throw new RestoreException("the archive has format version " + major + "." + minor
                    + ", which no pg_restore reads", false);
        }
        int intSize = bytes.u8();
        if (intSize < 1 || intSize > 32) {
            throw new RestoreException("the archive header is damaged: integer size " + intSize, false);
        }
        if (version >= archiveVersion(1, 7, 0)) {
            bytes.u8(); // offset size
        }
        int format = bytes.u8();
        if (format != FORMAT_CUSTOM) {
            throw new RestoreException("the archive is not in pg_dump's custom format (format " + format + ")", false);
        }
        if (version >= archiveVersion(1, 15, 0)) {
            bytes.u8(); // compression algorithm
        } else if (version >= archiveVersion(1, 4, 0)) {
            bytes.integer(intSize); // compression level
        } else if (version >= archiveVersion(1, 2, 0)) {
            bytes.u8();
        }
        String server = null;
        String pgDump = null;
        if (version >= archiveVersion(1, 4, 0)) {
            for (int i = 0; i < 7; i++) {
                bytes.integer(intSize); // creation time: sec, min, hour, mday, mon, year, isdst
            }
            bytes.string(intSize); // database name
        }
        if (version >= archiveVersion(1, 10, 0)) {
            server = bytes.string(intSize);
            pgDump = bytes.string(intSize);
        }
        return new PgDumpHeader(server, pgDump, major + "." + minor, true);
    }

    private static int archiveVersion(int major, int minor, int revision) {
        return (major * 256 + minor) * 256 + revision;
    }

    private static PgDumpHeader plain(byte[] head, int length) {
        String text = new String(head, 0, length, StandardCharsets.UTF_8);
        String server = null;
        String pgDump = null;
        boolean pgDumpStart = false;
        // The last line may be cut by the head's end; it is never one of ours unless the dump is that short.
        for (String line : text.split("\r?\n", -1)) {
            if (line.equals(PLAIN_FIRST_COMMENT)) {
                pgDumpStart = true;
            } else if (server == null && line.startsWith(PLAIN_SERVER)) {
                server = line.substring(PLAIN_SERVER.length()).strip();
            } else if (pgDump == null && line.startsWith(PLAIN_PG_DUMP)) {
                pgDump = line.substring(PLAIN_PG_DUMP.length()).strip();
            }
            if (!line.isEmpty() && !line.startsWith("--") && !line.startsWith("\\restrict")) {
                // pg_dump's header comments come before its first statement; later text is the user's data.
                break;
            }
        }
        return new PgDumpHeader(server, pgDump, null, pgDumpStart && server != null);
    }

    /** The first bytes of an archive, read as pg_dump's ReadInt and ReadStr do; running out means a truncated dump. */
    private static final class Bytes {
        private final byte[] bytes;
        private final int length;
        private int position;

        Bytes(byte[] bytes, int length) {
            this.bytes = bytes;
            this.length = length;
        }

        void skip(int n) {
            need(n);
            position += n;
        }

        int u8() {
            need(1);
            return bytes[position++] & 0xff;
        }

        /** A sign byte, then {@code size} bytes least significant first. */
        long integer(int size) {
            boolean negative = u8() != 0;
            need(size);
            long value = 0;
            for (int i = 0; i < size; i++) {
                int b = bytes[position + i] & 0xff;
                if (i < 4) {
                    value |= (long) b << (8 * i);
                } else if (b != 0) {
                    throw new RestoreException("the archive header is damaged: an integer does not fit 32 bits", false);
                }
            }
            position += size;
            return negative ? -value : value;
        }

        /** A length (negative: none), then that many bytes. */
        String string(int intSize) {
            long n = integer(intSize);
            if (n < 0) {
                return null;
            }
            if (n > HEAD_BYTES) {
                throw new RestoreException("the archive header is damaged: a string of " + n + " bytes", false);
            }
            need((int) n);
            String text = new String(bytes, position, (int) n, StandardCharsets.UTF_8);
            position += (int) n;
            return text;
        }

        private void need(int n) {
            if (position + n > length) {
                throw new RestoreException("the backup ends inside its archive header (" + length + " bytes):"
                        + " it is truncated", false);
            }
        }
    }
}
