package dev.custos.connectors.mysql;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.Fingerprint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@link Fingerprint} of one MySQL or MariaDB database. {@link #begin} opens a consistent-snapshot, read-only
 * transaction and reads the AUTO_INCREMENT values at once (they are live, not part of any snapshot); {@link #read}
 * then hashes every table's rows in that snapshot and lists the schema's other objects. The snapshot freezes InnoDB
 * rows only: tables on engines without transactions, and the schema itself, are read as they are at that moment.
 *
 * <p>Nothing in it names the database or an account: a restore may go to a database of another name, and rewrites
 * DEFINER clauses. Row content is hashed by the server, without shipping rows: per row an MD5 over every column
 * (binary and text values as hex or their own MD5, so no character set conversion can touch them, NULL distinct from
 * ''), and per table the sums of the two 64-bit halves of those MD5s, which do not depend on row order.
 */
final class MysqlFingerprint {

    /** Read as numbers or dates, whose text is the same on both sides; everything else is hashed as bytes. */
    private static final Set<String> AS_TEXT = Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint",
            "decimal", "numeric", "float", "double", "real", "year", "date", "datetime", "timestamp", "time", "json");
    /** Values that may be larger than a CONCAT may grow (max_allowed_packet): hashed alone, by MD5. */
    private static final Set<String> LARGE = Set.of("tinyblob", "blob", "mediumblob", "longblob", "tinytext", "text",
            "mediumtext", "longtext", "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
            "multipolygon", "geometrycollection", "geomcollection");
    private static final Set<String> BASE_TABLE_TYPES = Set.of("BASE TABLE", "SYSTEM VERSIONED");

    private final Connection connection;
    private final String database;
    private final Instant takenAt;
    /** Table name → what TABLES says of it, in name order. */
    private final Map<String, TableFacts> tables;
    private final SortedMap<String, String> sequences;
    private final List<String> sequenceObjects;

    private record TableFacts(String type, String engine, String collation, String options, String comment) {
        boolean base() {
            return BASE_TABLE_TYPES.contains(type);
        }
    }

    private MysqlFingerprint(Connection connection, String database, Instant takenAt, Map<String, TableFacts> tables,
            SortedMap<String, String> sequences, List<String> sequenceObjects) {
        this.connection = connection;
        this.database = database;
        this.takenAt = takenAt;
        this.tables = tables;
        this.sequences = sequences;
        this.sequenceObjects = sequenceObjects;
    }

    /**
     * Opens the snapshot on {@code connection} (which must be on {@code database} and stay unused by anyone else
     * until {@link #read} returns) and reads what is live rather than snapshot-bound, so as close to its opening as
     * possible: the AUTO_INCREMENT values and MariaDB sequences.
     */
    static MysqlFingerprint begin(Connection connection, String database) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // TIMESTAMP values are read in UTC, so that the server's or the session's zone cannot change their text.
            statement.execute("SET SESSION time_zone = '+00:00'");
            boolean cachesStatistics;
            try (ResultSet variable = statement.executeQuery(
                    "SHOW SESSION VARIABLES LIKE 'information_schema_stats_expiry'")) {
                cachesStatistics = variable.next();
            }
            if (cachesStatistics) {
                // MySQL 8 answers AUTO_INCREMENT from statistics cached for a day unless told not to; MariaDB reads
                // the live value and has no such variable.
                statement.execute("SET SESSION information_schema_stats_expiry = 0");
            }
            statement.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            statement.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
        }
        Instant takenAt = Instant.now();
        Map<String, TableFacts> tables = new LinkedHashMap<>();
        SortedMap<String, String> sequences = new TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT TABLE_NAME, TABLE_TYPE, ENGINE,"
                + " TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT, AUTO_INCREMENT FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME")) {
            statement.setString(1, database);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String name = rows.getString(1);
                    tables.put(name, new TableFacts(rows.getString(2), rows.getString(3), rows.getString(4),
                            rows.getString(5), rows.getString(6)));
                    String autoIncrement = rows.getString(7);
                    if (autoIncrement != null) {
                        sequences.put(name, autoIncrement);
                    }
                }
            }
        }
        List<String> sequenceObjects = new ArrayList<>();
        for (Map.Entry<String, TableFacts> table : tables.entrySet()) {
            if ("SEQUENCE".equals(table.getValue().type())) {
                // MariaDB's sequences are one-row tables; a dump restores them with SETVAL(next_not_cached_value).
                try (Statement statement = connection.createStatement();
                        ResultSet row = statement.executeQuery("SELECT next_not_cached_value, start_value,"
                                + " minimum_value, maximum_value, increment, cache_size, cycle_option FROM "
                                + MysqlConnector.quote(database) + "." + MysqlConnector.quote(table.getKey()))) {
                    if (row.next()) {
                        sequences.put(table.getKey(), row.getString(1));
                        sequenceObjects.add("sequence " + table.getKey() + ": start " + row.getString(2) + " min "
                                + row.getString(3) + " max " + row.getString(4) + " increment " + row.getString(5)
                                + " cache " + row.getString(6) + (row.getBoolean(7) ? " cycle" : " nocycle"));
                    }
                }
            }
        }
        return new MysqlFingerprint(connection, database, takenAt, tables, sequences, sequenceObjects);
    }

    /**
     * Reads everything else in the snapshot and ends the transaction. Checks {@code cancellation} between tables;
     * the caller aborts the connection to stop a statement that is running.
     */
    Fingerprint read(Cancellation cancellation) throws SQLException {
        List<String> objects = new ArrayList<>(sequenceObjects);
        Map<String, List<Column>> columns = columns(objects);
        indexes(objects);
        foreignKeys(objects);
        checks(objects);
        views(objects);
        routines(objects);
        triggers(objects);
        events(objects);
        SortedMap<String, Fingerprint.Table> hashed = new TreeMap<>();
        for (Map.Entry<String, TableFacts> table : tables.entrySet()) {
            TableFacts facts = table.getValue();
            if (!"VIEW".equals(facts.type()) && !"SEQUENCE".equals(facts.type())) {
                objects.add("table " + table.getKey() + ": " + facts.type().toLowerCase(Locale.ROOT) + " engine "
                        + facts.engine() + " collation " + facts.collation() + options(facts.options())
                        + comment(facts.comment()));
            }
            if (facts.base()) {
                if (cancellation.isCancelled()) {
                    throw new Cancellation.CancelledException();
                }
                hashed.put(table.getKey(), hash(table.getKey(), columns.getOrDefault(table.getKey(), List.of())));
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("COMMIT");
        }
        return new Fingerprint(DatabaseKind.MYSQL.value(), hashed, sequences, objects, takenAt);
    }

    private record Column(String name, String dataType) {
    }

    private Map<String, List<Column>> columns(List<String> objects) throws SQLException {
        Map<String, List<Column>> columns = new TreeMap<>();
        query("SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, COLUMN_TYPE,"
                + " CHARACTER_SET_NAME, COLLATION_NAME, EXTRA, GENERATION_EXPRESSION, COLUMN_COMMENT"
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION", row -> {
                    String table = row.getString(1);
                    TableFacts facts = tables.get(table);
                    if (facts == null || !facts.base()) {
                        // A view's columns follow from its definition; a sequence's are always the same.
                        return;
                    }
                    columns.computeIfAbsent(table, t -> new ArrayList<>()).add(new Column(row.getString(2),
                            row.getString(6).toLowerCase(Locale.ROOT)));
                    StringBuilder line = new StringBuilder("column ").append(table).append('.').append(row.getString(2))
                            .append(": #").append(row.getInt(3)).append(' ').append(row.getString(7))
                            .append("YES".equals(row.getString(5)) ? " null" : " not null");
                    if (row.getString(4) != null) {
                        line.append(" default ").append(row.getString(4));
                    }
                    if (row.getString(9) != null) {
                        line.append(" collation ").append(row.getString(9));
                    }
                    if (row.getString(10) != null && !row.getString(10).isBlank()) {
                        line.append(" extra ").append(row.getString(10).trim());
                    }
                    if (row.getString(11) != null && !row.getString(11).isBlank()) {
                        line.append(" as (").append(row.getString(11)).append(')');
                    }
                    objects.add(line.append(comment(row.getString(12))).toString());
                });
        return columns;
    }

    private void indexes(List<String> objects) throws SQLException {
        Map<String, StringBuilder> indexes = new TreeMap<>();
        query("SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?"
                + " ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX", row -> {
                    String key = "index " + row.getString("TABLE_NAME") + "." + row.getString("INDEX_NAME") + ": ";
                    StringBuilder index = indexes.get(key);
                    String part = column(row);
                    if (index == null) {
                        index = new StringBuilder(row.getInt("NON_UNIQUE") == 0 ? "unique " : "")
                                .append(row.getString("INDEX_TYPE"))
                                .append(comment(row.getString("INDEX_COMMENT")));
                        String ignored = optional(row, "IGNORED");
                        if ("YES".equals(ignored) || "NO".equals(optional(row, "IS_VISIBLE"))) {
                            index.append(" ignored");
                        }
                        index.append(" (").append(part);
                        indexes.put(key, index);
                    } else {
                        index.append(", ").append(part);
                    }
                });
        indexes.forEach((key, index) -> objects.add(key + index + ")"));
    }

    /** One part of an index: a column with its prefix length and order, or (MySQL 8) an expression. */
    private static String column(ResultSet row) throws SQLException {
        String name = row.getString("COLUMN_NAME");
        String part = name != null ? name : "(" + optional(row, "EXPRESSION") + ")";
        if (row.getString("SUB_PART") != null) {
            part += "(" + row.getString("SUB_PART") + ")";
        }
        return "D".equals(row.getString("COLLATION")) ? part + " desc" : part;
    }

    private void foreignKeys(List<String> objects) throws SQLException {
        Map<String, List<String[]>> keyColumns = new TreeMap<>();
        query("SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME,"
                + " REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
                + " WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL"
                + " ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION", row -> keyColumns
                        .computeIfAbsent(row.getString(1) + "." + row.getString(2), k -> new ArrayList<>())
                        .add(new String[] {row.getString(3), row.getString(4), row.getString(5), row.getString(6)}));
        query("SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS"
                + " WHERE CONSTRAINT_SCHEMA = ?", row -> {
                    String key = row.getString(1) + "." + row.getString(2);
                    List<String[]> parts = keyColumns.getOrDefault(key, List.of());
                    List<String> from = parts.stream().map(p -> p[0]).toList();
                    List<String> to = parts.stream().map(p -> p[3]).toList();
                    String referenced = parts.isEmpty() ? "?" : parts.get(0)[2];
                    if (!parts.isEmpty() && !database.equals(parts.get(0)[1])) {
                        // Another database's table is named with it; this database's own name is left out.
                        referenced = parts.get(0)[1] + "." + referenced;
                    }
                    objects.add("foreign key " + key + ": (" + String.join(", ", from) + ") references " + referenced
                            + " (" + String.join(", ", to) + ") on update " + row.getString(3) + " on delete "
                            + row.getString(4));
                });
    }

    private void checks(List<String> objects) throws SQLException {
        try {
            // MariaDB names a check per table (a column's check is named after the column) and says which table.
            query("SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
                    + " WHERE CONSTRAINT_SCHEMA = ?", row -> objects.add("check " + row.getString(1) + "."
                            + row.getString(2) + ": " + row.getString(3)));
        } catch (SQLException e) {
            if (e.getErrorCode() != 1054 && e.getErrorCode() != 1109) {
                throw e;
            }
            // MySQL 8: names are unique in the schema, and the table is in TABLE_CONSTRAINTS.
            query("SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS cc"
                    + " JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA"
                    + " AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'"
                    + " WHERE cc.CONSTRAINT_SCHEMA = ?", row -> objects.add("check " + row.getString(1) + "."
                            + row.getString(2) + ": " + row.getString(3)));
        }
    }

    private void views(List<String> objects) throws SQLException {
        // The server writes a view's definition with every name qualified by the database's: "`shop`.`t`.`id`".
        String ownPrefix = MysqlConnector.quote(database) + ".";
        query("SELECT * FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?", row -> {
            String definition = row.getString("VIEW_DEFINITION");
            String algorithm = optional(row, "ALGORITHM");
            objects.add("view " + row.getString("TABLE_NAME") + ":"
                    + (algorithm == null ? "" : " algorithm " + algorithm)
                    + " security " + row.getString("SECURITY_TYPE") + " check " + row.getString("CHECK_OPTION")
                    + " updatable " + row.getString("IS_UPDATABLE")
                    + " definition " + md5(definition == null ? null : definition.replace(ownPrefix, "")));
        });
    }

    private void routines(List<String> objects) throws SQLException {
        Map<String, List<String>> parameters = new TreeMap<>();
        query("SELECT SPECIFIC_NAME, ROUTINE_TYPE, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER"
                + " FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = ? AND ORDINAL_POSITION > 0"
                + " ORDER BY SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION", row -> parameters
                        .computeIfAbsent(row.getString(2) + " " + row.getString(1), k -> new ArrayList<>())
                        .add((row.getString(3) == null ? "" : row.getString(3) + " ") + row.getString(4) + " "
                                + row.getString(5)));
        query("SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS,"
                + " SECURITY_TYPE, SQL_MODE, ROUTINE_COMMENT FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
                row -> {
                    String type = row.getString(2);
                    String name = row.getString(1);
                    objects.add(type.toLowerCase(Locale.ROOT) + " " + name + "("
                            + String.join(", ", parameters.getOrDefault(type + " " + name, List.of())) + "):"
                            + (row.getString(3) == null ? "" : " returns " + row.getString(3))
                            + ("YES".equals(row.getString(5)) ? " deterministic" : " not deterministic")
                            + " " + row.getString(6).toLowerCase(Locale.ROOT) + " security " + row.getString(7)
                            + " sql_mode " + row.getString(8) + comment(row.getString(9))
                            + " body " + md5(row.getString(4)));
                });
    }

    private void triggers(List<String> objects) throws SQLException {
        query("SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER,"
                + " ACTION_STATEMENT, SQL_MODE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?", row ->
                objects.add("trigger " + row.getString(1) + ": " + row.getString(2) + " " + row.getString(3) + " on "
                        + row.getString(4) + " order " + row.getString(5) + " sql_mode " + row.getString(7)
                        + " body " + md5(row.getString(6))));
    }

    private void events(List<String> objects) throws SQLException {
        query("SELECT EVENT_NAME, EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD, STARTS, ENDS, STATUS,"
                + " ON_COMPLETION, TIME_ZONE, SQL_MODE, EVENT_COMMENT, EVENT_DEFINITION FROM information_schema.EVENTS"
                + " WHERE EVENT_SCHEMA = ?", row -> objects.add("event " + row.getString(1) + ": "
                        + ("ONE TIME".equals(row.getString(2)) ? "at " + row.getString(3)
                                : "every " + row.getString(4) + " " + row.getString(5) + " starts " + row.getString(6)
                                        + (row.getString(7) == null ? "" : " ends " + row.getString(7)))
                        + " " + row.getString(8).toLowerCase(Locale.ROOT) + " on completion "
                        + row.getString(9).toLowerCase(Locale.ROOT) + " time_zone " + row.getString(10)
                        + " sql_mode " + row.getString(11) + comment(row.getString(12))
                        + " body " + md5(row.getString(13))));
    }

    /**
     * Row count and content hash of one table. Each value becomes text that cannot contain the ',' between them
     * and cannot be 'N', the text of NULL: numbers and dates as themselves, large values as their MD5, other
     * strings and binaries as hex.
     */
    private Fingerprint.Table hash(String table, List<Column> columns) throws SQLException {
        List<String> values = new ArrayList<>();
        for (Column column : columns) {
            String name = MysqlConnector.quote(column.name());
            String value;
            if (AS_TEXT.contains(column.dataType())) {
                value = "CAST(" + name + " AS CHAR)";
            } else if (LARGE.contains(column.dataType())) {
                value = "MD5(" + name + ")";
            } else {
                value = "HEX(" + name + ")";
            }
            values.add("IFNULL(" + value + ", 'N')");
        }
        if (values.isEmpty()) {
            // An account without rights on any column sees none; the rows still count.
            values.add("''");
        }
        String sql = "SELECT COUNT(*), COUNT(h),"
                + " SUM(CAST(CONV(SUBSTRING(h, 1, 16), 16, 10) AS DECIMAL(65))),"
                + " SUM(CAST(CONV(SUBSTRING(h, 17, 16), 16, 10) AS DECIMAL(65)))"
                + " FROM (SELECT MD5(CONCAT_WS(',', " + String.join(", ", values) + ")) AS h FROM "
                + MysqlConnector.quote(database) + "." + MysqlConnector.quote(table) + ") AS r";
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            long rows = row.getLong(1);
            if (row.getLong(2) != rows) {
                // CONCAT_WS gives NULL past max_allowed_packet; such a row would silently count for nothing.
                throw new SQLException("table " + table + " has rows too large to fingerprint");
            }
            String sums = rows + ":" + nullToZero(row.getString(3)) + ":" + nullToZero(row.getString(4));
            return new Fingerprint.Table(rows, sha256(sums));
        }
    }

    @FunctionalInterface
    private interface RowReader {
        void read(ResultSet row) throws SQLException;
    }

    /** Runs a query whose one parameter is the database's name and hands each row to {@code reader}. */
    private void query(String sql, RowReader reader) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, database);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    reader.read(rows);
                }
            }
        }
    }

    /** A column only one flavour (or version) has; null where it is missing. */
    private static String optional(ResultSet row, String label) throws SQLException {
        ResultSetMetaData meta = row.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (label.equalsIgnoreCase(meta.getColumnLabel(i))) {
                return row.getString(i);
            }
        }
        return null;
    }

    private static String options(String options) {
        return options == null || options.isBlank() ? "" : " options " + options.trim();
    }

    private static String comment(String comment) {
        return comment == null || comment.isEmpty() ? "" : " comment '" + comment.replace("'", "''") + "'";
    }

    private static String nullToZero(String sum) {
        return sum == null ? "0" : sum;
    }

    /** MD5 of a body, as the fingerprint's lines show it; "unreadable" when the account may not read it. */
    private static String md5(String text) {
        return text == null ? "unreadable" : "md5 " + HexFormat.of().formatHex(digest("MD5", text));
    }

    private static String sha256(String text) {
        return HexFormat.of().formatHex(digest("SHA-256", text));
    }

    private static byte[] digest(String algorithm, String text) {
        try {
            return MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }
}
