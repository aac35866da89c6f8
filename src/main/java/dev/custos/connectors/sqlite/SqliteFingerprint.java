package dev.custos.connectors.sqlite;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.Fingerprint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@link Fingerprint} of one SQLite database, read through an open connection in one read transaction.
 *
 * <ul>
 *   <li>tables: every table of {@code sqlite_master} (STRICT and WITHOUT ROWID ones included) except SQLite's own
 *       {@code sqlite_*} tables and virtual tables, with its row count and an order-independent hash of its rows;</li>
 *   <li>sequences: the {@code sqlite_sequence} rows of AUTOINCREMENT tables, table → the last value used;</li>
 *   <li>objects: every {@code sqlite_master} entry (tables, indexes, views, triggers, SQLite's own entries too) as
 *       type, name, table and a hash of its whitespace-normalized SQL.</li>
 * </ul>
 * Rowids that no column shows are not part of a row: they are storage, not content, and VACUUM may renumber them.
 */
final class SqliteFingerprint {

    /** How many rows are read between two looks at the cancellation. */
    private static final int ROWS_BETWEEN_CANCEL_CHECKS = 1024;
    /**
     * Hex digits of an object's SQL hash that its line shows: the lines are read by people in a list of differences,
     * and 64 bits tell a changed definition from the original without making the line unreadable.
     */
    private static final int SQL_HASH_HEX_DIGITS = 16;

    private static final byte NULL = 0;
    private static final byte INTEGER = 1;
    private static final byte REAL = 2;
    private static final byte TEXT = 3;
    private static final byte BLOB = 4;

    private SqliteFingerprint() {
    }

    /**
     * Reads every row. {@code BEGIN … ROLLBACK} around the reads makes them one snapshot: in WAL mode the snapshot
     * of the first read, in rollback-journal mode under a shared lock that keeps writers from committing.
     */
    static Fingerprint take(Connection connection, Cancellation cancellation, Instant takenAt) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN");
            try {
                Fingerprint fingerprint = read(connection, cancellation, takenAt);
                statement.execute("ROLLBACK");
                return fingerprint;
            } catch (SQLException | RuntimeException e) {
                try {
                    statement.execute("ROLLBACK");
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }

    private record Entry(String type, String name, String table, String sql) {

        boolean internal() {
            return name.regionMatches(true, 0, "sqlite_", 0, "sqlite_".length());
        }

        /** A virtual table's rows live in its shadow tables, plain tables fingerprinted as such; reading the virtual
         * table itself would need its module loaded. */
        boolean virtual() {
            return sql != null && normalize(sql).toUpperCase(Locale.ROOT).startsWith("CREATE VIRTUAL TABLE");
        }
    }

    private static Fingerprint read(Connection connection, Cancellation cancellation, Instant takenAt)
            throws SQLException {
        List<Entry> entries = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT type, name, tbl_name, sql FROM sqlite_master")) {
            while (rows.next()) {
                entries.add(new Entry(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)));
            }
        }
        SortedMap<String, Fingerprint.Table> tables = new TreeMap<>();
        SortedMap<String, String> sequences = new TreeMap<>();
        List<String> objects = new ArrayList<>();
        for (Entry entry : entries) {
            objects.add(line(entry));
            if (!entry.type().equals("table")) {
                continue;
            }
            if (entry.name().equals("sqlite_sequence")) {
                sequences.putAll(sequences(connection));
            } else if (!entry.internal() && !entry.virtual()) {
                tables.put(entry.name(), table(connection, entry.name(), cancellation));
            }
        }
        return new Fingerprint(DatabaseKind.SQLITE.value(), tables, sequences, objects, takenAt);
    }

    private static SortedMap<String, String> sequences(Connection connection) throws SQLException {
        SortedMap<String, String> sequences = new TreeMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT name, seq FROM sqlite_sequence")) {
            while (rows.next()) {
                sequences.put(rows.getString(1), rows.getString(2));
            }
        }
        return sequences;
    }

    private static Fingerprint.Table table(Connection connection, String name, Cancellation cancellation)
            throws SQLException {
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
        RowHash hash = new RowHash();
        long count = 0;
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT * FROM " + quote(name))) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                if (count % ROWS_BETWEEN_CANCEL_CHECKS == ROWS_BETWEEN_CANCEL_CHECKS - 1 && cancellation.isCancelled()) {
                    throw new Cancellation.CancelledException();
                }
                hash.startRow();
                for (int column = 1; column <= columns; column++) {
                    Object value = rows.getObject(column);
                    if (value == null) {
                        hash.tag(NULL);
                    } else if (value instanceof Double real) {
                        hash.tag(REAL).number(Double.doubleToRawLongBits(real));
                    } else if (value instanceof Number integer) {
                        hash.tag(INTEGER).number(integer.longValue());
                    } else if (value instanceof String) {
                        // The stored UTF-8 itself, not a decoded and re-encoded copy that could smooth over bad bytes.
                        hash.tag(TEXT).bytes(rows.getBytes(column));
                    } else if (value instanceof byte[] blob) {
                        hash.tag(BLOB).bytes(blob);
                    } else {
                        throw new SQLException("unexpected value of type " + value.getClass().getName() + " in " + name);
                    }
                }
                hash.endRow();
                count++;
            }
        }
        return new Fingerprint.Table(count, hash.hex());
    }

    /**
     * Rows hashed one by one (SHA-256 of a type-tagged, length-prefixed encoding of every column, so that 1, 1.0,
     * '1', x'31' and NULL, '' all differ) and summed modulo 2^256: the sum does not depend on the order rows come in,
     * and unlike XOR two equal rows do not cancel each other out.
     */
    private static final class RowHash {
        private final MessageDigest digest = sha256();
        private final ByteBuffer scratch = ByteBuffer.allocate(Long.BYTES);
        private final byte[] sum = new byte[32];

        void startRow() {
            digest.reset();
        }

        RowHash tag(byte tag) {
            digest.update(tag);
            return this;
        }

        void number(long value) {
            scratch.clear();
            scratch.putLong(value);
            digest.update(scratch.array(), 0, Long.BYTES);
        }

        void bytes(byte[] value) {
            number(value.length);
            digest.update(value);
        }

        void endRow() {
            byte[] row = digest.digest();
            int carry = 0;
            for (int i = sum.length - 1; i >= 0; i--) {
                int total = (sum[i] & 0xff) + (row[i] & 0xff) + carry;
                sum[i] = (byte) total;
                carry = total >>> 8;
            }
        }

        String hex() {
            return HexFormat.of().formatHex(sum);
        }
    }

    /** "index item_name on item: sql 1a2b…", or "table item: sql …"; SQLite's automatic indexes have no SQL. */
    private static String line(Entry entry) {
        String on = entry.table() == null || entry.table().equals(entry.name()) ? "" : " on " + entry.table();
        String sql = entry.sql() == null ? "no sql"
                : "sql " + HexFormat.of().formatHex(sha256().digest(normalize(entry.sql()).getBytes(StandardCharsets.UTF_8)))
                        .substring(0, SQL_HASH_HEX_DIGITS);
        return entry.type() + " " + entry.name() + on + ": " + sql;
    }

    /**
     * The SQL with each run of whitespace outside quotes made one space: the same definition typed with other line
     * breaks or indentation is the same object, while a changed literal or identifier is not.
     */
    static String normalize(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        char quote = 0;
        boolean space = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == quote) {
                    quote = 0;
                }
            } else if (Character.isWhitespace(c)) {
                space = true;
            } else {
                if (space && !out.isEmpty()) {
                    out.append(' ');
                }
                space = false;
                out.append(c);
                if (c == '\'' || c == '"' || c == '`') {
                    quote = c;
                } else if (c == '[') {
                    quote = ']';
                }
            }
        }
        return out.toString();
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
