package dev.custos.connectors.postgres;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.Fingerprint;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link Fingerprint} of a PostgreSQL database, read in one REPEATABLE READ transaction so that every query sees
 * the same snapshot (and, for a dump, pg_dump's own: {@link #begin} exports it).
 *
 * <p>What counts: every ordinary table and partition (not a partitioned parent, whose rows are its partitions'),
 * each populated materialized view, as rows plus a hash of their text that does not depend on row order; every
 * sequence's next value; and one line per other object (schemas, extensions, tables and their columns, partition
 * bounds, views and routines by a hash of their definition, indexes, constraints, triggers, rules, policies, types,
 * comments, large objects). Ownership and privileges do not count: a restore with {@code no_owner} changes them on
 * purpose. Objects that belong to an extension do not count either: the extension (listed with its version)
 * recreates them. Names are {@code schema.name}, quoted where SQL would quote them.
 *
 * <p>Row text must not depend on the session, or the same rows would hash differently from one connection to the
 * next: {@link #SESSION} fixes every setting that changes how a value prints (time zone, date and interval style,
 * float digits, bytea and money output) and empties search_path so that every name prints qualified.
 */
final class PgFingerprint {

    /** Settings that make every value and definition print the same in every session. */
    static final List<String> SESSION = List.of(
            "SET TimeZone = 'UTC'",
            "SET DateStyle = 'ISO, YMD'",
            "SET IntervalStyle = 'postgres'",
            // Shortest text that reads back exactly (as pg_dump sets it), so equal floats print equally.
            "SET extra_float_digits = 3",
            "SET bytea_output = 'hex'",
            "SET lc_monetary = 'C'",
            "SET xmloption = 'content'",
            "SET search_path = ''",
            // A policy must not hide rows from the fingerprint: better fail than hash part of a table.
            "SET row_security = off",
            "SET statement_timeout = 0",
            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");

    private static final int OLDEST_SERVER = 120_000;
    private static final String USER_SCHEMA = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'";

    /** An order-independent digest of a column {@code h} of md5 hex digests: two 64-bit sums and the count. */
    private static final String DIGEST = "md5(count(*) || ':'"
            + " || coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0) || ':'"
            + " || coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0))";

    private static String notInExtension(String catalog, String oid) {
        return "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" + catalog + "'::regclass AND e.objid = "
                + oid + " AND e.deptype = 'e')";
    }

    /**
     * What {@link dev.custos.connectors.TargetState#userObjects()} counts: relations and routines outside the system
     * schemas. An extension's own objects are left out: a database whose template has an extension is still empty.
     */
    static final String USER_OBJECTS = "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n"
            + " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND " + USER_SCHEMA
            + " AND " + notInExtension("pg_class", "c.oid") + ")"
            + " + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE " + USER_SCHEMA
            + " AND " + notInExtension("pg_proc", "p.oid") + ")";

    private static final String RELATION = " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
            + USER_SCHEMA + " AND " + notInExtension("pg_class", "c.oid");

    /** Each query returns one line per object. */
    private static final List<String> OBJECTS = List.of(
            "SELECT 'schema ' || quote_ident(n.nspname) FROM pg_namespace n WHERE " + USER_SCHEMA + " AND "
                    + notInExtension("pg_namespace", "n.oid"),
            "SELECT format('extension %I %s in schema %I', x.extname, x.extversion, n.nspname)"
                    + " FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace",
            "SELECT CASE c.relkind"
                    + " WHEN 'r' THEN 'table ' || format('%I.%I', n.nspname, c.relname)"
                    + " WHEN 'p' THEN 'partitioned table ' || format('%I.%I', n.nspname, c.relname) || ' '"
                    + "   || pg_get_partkeydef(c.oid)"
                    + " WHEN 'v' THEN 'view ' || format('%I.%I', n.nspname, c.relname) || ' definition md5 '"
                    + "   || md5(pg_get_viewdef(c.oid))"
                    + " WHEN 'm' THEN 'materialized view ' || format('%I.%I', n.nspname, c.relname)"
                    + "   || ' definition md5 ' || md5(pg_get_viewdef(c.oid))"
                    + "   || CASE WHEN c.relispopulated THEN '' ELSE ' not populated' END"
                    + " WHEN 'f' THEN 'foreign table ' || format('%I.%I', n.nspname, c.relname)"
                    + " WHEN 'S' THEN format('sequence %I.%I %s start %s increment %s min %s max %s cache %s%s',"
                    + "   n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,"
                    + "   s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)"
                    + " END"
                    + " || CASE WHEN c.relpersistence = 'u' THEN ' unlogged' ELSE '' END"
                    + " || CASE WHEN c.relrowsecurity THEN ' row security' ELSE '' END"
                    + " || CASE WHEN c.relforcerowsecurity THEN ' forced' ELSE '' END"
                    + " || coalesce(' with (' || array_to_string(c.reloptions, ', ') || ')', '')"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " LEFT JOIN pg_sequence s ON s.seqrelid = c.oid"
                    + " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND " + USER_SCHEMA + " AND "
                    + notInExtension("pg_class", "c.oid"),
            "SELECT CASE WHEN c.relispartition"
                    + " THEN format('partition %I.%I of %I.%I %s', n.nspname, c.relname, pn.nspname, p.relname,"
                    + "   pg_get_expr(c.relpartbound, c.oid))"
                    + " ELSE format('table %I.%I inherits %I.%I', n.nspname, c.relname, pn.nspname, p.relname) END"
                    + " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace"
                    + " WHERE c.relkind IN ('r', 'p', 'f') AND " + USER_SCHEMA,
            "SELECT format('column %I.%I.%I %s', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod))"
                    + " || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
                    + " || CASE a.attidentity WHEN 'a' THEN ' generated always as identity'"
                    + "   WHEN 'd' THEN ' generated by default as identity' ELSE '' END"
                    + " || CASE WHEN a.attgenerated = 's' THEN ' generated always as ('"
                    + "   || pg_get_expr(d.adbin, d.adrelid) || ') stored'"
                    + "   WHEN d.adbin IS NOT NULL THEN ' default ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END"
                    + " || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation"
                    + "   THEN ' collate ' || (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co"
                    + "     JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation)"
                    + "   ELSE '' END"
                    + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
                    + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                    + " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f') AND " + USER_SCHEMA
                    + " AND " + notInExtension("pg_class", "c.oid"),
            "SELECT 'index ' || pg_get_indexdef(i.indexrelid)"
                    + " || CASE WHEN i.indisclustered THEN ' clustered' ELSE '' END"
                    + " || CASE WHEN NOT i.indisvalid THEN ' invalid' ELSE '' END"
                    + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_SCHEMA + " AND "
                    + notInExtension("pg_class", "c.oid"),
            "SELECT format('constraint %I.%I.%I %s', n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid))"
                    + " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_SCHEMA + " AND "
                    + notInExtension("pg_class", "c.oid"),
            "SELECT format('constraint %I.%I.%I on domain %s', n.nspname, t.typname, k.conname,"
                    + "   pg_get_constraintdef(k.oid))"
                    + " FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid"
                    + " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " + USER_SCHEMA + " AND "
                    + notInExtension("pg_type", "t.oid"),
            "SELECT 'trigger ' || pg_get_triggerdef(g.oid)"
                    + " || CASE g.tgenabled WHEN 'D' THEN ' disabled' WHEN 'R' THEN ' enabled replica'"
                    + "   WHEN 'A' THEN ' enabled always' ELSE '' END"
                    + " FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT g.tgisinternal AND " + USER_SCHEMA
                    + " AND " + notInExtension("pg_class", "c.oid"),
            "SELECT format('rule %I.%I.%I definition md5 %s', r.schemaname, r.tablename, r.rulename, md5(r.definition))"
                    + " FROM pg_rules r JOIN pg_namespace n ON n.nspname = r.schemaname WHERE " + USER_SCHEMA,
            "SELECT format('policy %I.%I.%I %s for %s to %s using %s with check %s', p.schemaname, p.tablename,"
                    + "   p.policyname, p.permissive, p.cmd, p.roles, coalesce(p.qual, '-'),"
                    + "   coalesce(p.with_check, '-'))"
                    + " FROM pg_policies p JOIN pg_namespace n ON n.nspname = p.schemaname WHERE " + USER_SCHEMA,
            "SELECT CASE p.prokind WHEN 'a' THEN format('aggregate %s transition %s state %s final %s initial %s',"
                    + "     p.oid::regprocedure, a.aggtransfn::regprocedure, format_type(a.aggtranstype, NULL),"
                    + "     a.aggfinalfn, coalesce(a.agginitval, '-'))"
                    + "   WHEN 'p' THEN format('procedure %s definition md5 %s', p.oid::regprocedure,"
                    + "     md5(pg_get_functiondef(p.oid)))"
                    + "   ELSE format('function %s definition md5 %s', p.oid::regprocedure,"
                    + "     md5(pg_get_functiondef(p.oid)))"
                    + " END"
                    + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    + " LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid"
                    + " WHERE " + USER_SCHEMA + " AND " + notInExtension("pg_proc", "p.oid"),
            "SELECT CASE t.typtype"
                    + " WHEN 'e' THEN format('enum %I.%I (%s)', n.nspname, t.typname, (SELECT"
                    + "   string_agg(quote_literal(l.enumlabel), ', ' ORDER BY l.enumsortorder) FROM pg_enum l"
                    + "   WHERE l.enumtypid = t.oid))"
                    + " WHEN 'd' THEN format('domain %I.%I %s', n.nspname, t.typname,"
                    + "   format_type(t.typbasetype, t.typtypmod))"
                    + "   || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END"
                    + "   || coalesce(' default ' || t.typdefault, '')"
                    + " WHEN 'c' THEN format('composite type %I.%I (%s)', n.nspname, t.typname, (SELECT"
                    + "   string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', '"
                    + "   ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0"
                    + "   AND NOT a.attisdropped))"
                    + " WHEN 'r' THEN format('range type %I.%I of %s', n.nspname, t.typname,"
                    + "   (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid))"
                    + " ELSE format('type %I.%I', n.nspname, t.typname) END"
                    + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                    + " WHERE t.typtype IN ('b', 'c', 'd', 'e', 'r') AND " + USER_SCHEMA
                    // A table's row type comes with the table; an array type with its element type.
                    + " AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)"
                    + " AND " + notInExtension("pg_type", "t.oid"),
            // Objects created by initdb have OIDs below 16384 and come with every database; large objects may have
            // any OID their creator chose.
            "SELECT format('comment on %s %s: %s', o.type, o.identity,"
                    + "   CASE WHEN length(d.description) <= 100 AND d.description !~ '[\\n\\r]'"
                    + "   THEN quote_literal(d.description) ELSE 'md5 ' || md5(d.description) END)"
                    + " FROM pg_description d, LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o"
                    + " WHERE (d.objoid >= 16384 OR d.classoid = 'pg_largeobject'::regclass)"
                    + " AND (o.schema IS NULL OR o.schema !~ '^pg_' AND o.schema <> 'information_schema')"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = d.classoid AND e.objid = d.objoid"
                    + "   AND e.deptype = 'e')",
            // Read in chunks: lo_get of a whole object would need it to fit in memory (and in 1 GB).
            "SELECT format('large objects: %s, content md5 %s', count(*), " + DIGEST + ")"
                    + " FROM (SELECT md5(m.oid || ':' || s.size || ':' || (SELECT string_agg(md5(lo_get(m.oid, o,"
                    + "   1048576)), '' ORDER BY o) FROM generate_series(0, greatest(s.size - 1, 0), 1048576) o)) AS h"
                    + "   FROM pg_largeobject_metadata m,"
                    + "   LATERAL (SELECT lo_lseek64(lo_open(m.oid, 262144), 0, 2) AS size) s) x"
                    + " HAVING count(*) > 0");

    private static final String TABLES = "SELECT format('%I.%I', n.nspname, c.relname), c.relkind" + RELATION
            + " AND (c.relkind = 'r' OR c.relkind = 'm' AND c.relispopulated)";

    private static final String SEQUENCES = "SELECT format('%I.%I', n.nspname, c.relname), s.seqincrement,"
            + " s.seqmin, s.seqmax, s.seqcycle"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid"
            + " WHERE " + USER_SCHEMA + " AND " + notInExtension("pg_class", "c.oid");

    private final Connection connection;
    private final Cancellation cancellation;
    private final AtomicReference<Statement> running = new AtomicReference<>();

    private PgFingerprint(Connection connection, Cancellation cancellation) {
        this.connection = connection;
        this.cancellation = cancellation;
    }

    /**
     * Prepares a fresh connection ({@link #SESSION}) so that its next statement opens a REPEATABLE READ READ ONLY
     * transaction, which every later statement shares.
     */
    static void begin(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        PgVersion server = PostgresConnector.serverVersion(connection);
        if (server.number() < OLDEST_SERVER) {
            // The catalog queries read columns that 12 added (pg_attribute.attgenerated).
            throw new SQLException("fingerprints need PostgreSQL 12 or newer; the server is PostgreSQL "
                    + server.text(), "0A000");
        }
        try (Statement statement = connection.createStatement()) {
            for (String setting : SESSION) {
                statement.execute(setting);
            }
        }
        connection.setAutoCommit(false);
    }

    /**
     * Exports the snapshot of the transaction {@link #begin} prepared (taking it now if no statement has yet):
     * pg_dump {@code --snapshot} then dumps exactly what {@link #read} reads.
     *
     * @return the snapshot's id
     */
    static String exportSnapshot(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_export_snapshot()")) {
            row.next();
            return row.getString(1);
        }
    }

    /**
     * Reads the fingerprint in the transaction {@link #begin} opened. Cancelling cancels the running statement.
     *
     * @throws Cancellation.CancelledException cancelled
     */
    static Fingerprint read(Connection connection, Cancellation cancellation) throws SQLException {
        PgFingerprint reader = new PgFingerprint(connection, cancellation);
        Runnable unregister = cancellation.onCancel(reader::cancelRunning);
        try {
            return reader.read();
        } catch (SQLException e) {
            if (cancellation.isCancelled()) {
                throw new Cancellation.CancelledException();
            }
            throw e;
        } finally {
            unregister.run();
        }
    }

    private Fingerprint read() throws SQLException {
        Instant takenAt = query("SELECT now()", rows -> {
            rows.next();
            return rows.getTimestamp(1).toInstant();
        });
        List<String[]> relations = query(TABLES, rows -> {
            List<String[]> found = new ArrayList<>();
            while (rows.next()) {
                found.add(new String[] {rows.getString(1), rows.getString(2)});
            }
            return found;
        });
        SortedMap<String, Fingerprint.Table> tables = new TreeMap<>();
        for (String[] relation : relations) {
            // ONLY: an inheritance child's rows are its own entry, not its parent's.
            String from = ("r".equals(relation[1]) ? "ONLY " : "") + relation[0];
            String sql = "SELECT count(*), " + DIGEST + " FROM (SELECT md5(ROW(r.*)::text) AS h FROM " + from + " r) x";
            tables.put(relation[0], query(sql, rows -> {
                rows.next();
                return new Fingerprint.Table(rows.getLong(1), rows.getString(2));
            }));
        }
        SortedMap<String, String> sequences = new TreeMap<>();
        List<String[]> sequenceRows = query(SEQUENCES, rows -> {
            List<String[]> found = new ArrayList<>();
            while (rows.next()) {
                found.add(new String[] {rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                        Boolean.toString(rows.getBoolean(5))});
            }
            return found;
        });
        for (String[] sequence : sequenceRows) {
            sequences.put(sequence[0], query("SELECT last_value, is_called FROM " + sequence[0], rows -> {
                rows.next();
                return nextValue(new BigInteger(rows.getString(1)), rows.getBoolean(2), new BigInteger(sequence[1]),
                        new BigInteger(sequence[2]), new BigInteger(sequence[3]), Boolean.parseBoolean(sequence[4]));
            }));
        }
        List<String> objects = new ArrayList<>();
        for (String sql : OBJECTS) {
            objects.addAll(query(sql, rows -> {
                List<String> lines = new ArrayList<>();
                while (rows.next()) {
                    lines.add(rows.getString(1));
                }
                return lines;
            }));
        }
        return new Fingerprint(DatabaseKind.POSTGRESQL.value(), tables, sequences, objects, takenAt);
    }

    /** What the next nextval() returns, as the sequence's own rules compute it. */
    static String nextValue(BigInteger last, boolean called, BigInteger increment, BigInteger min, BigInteger max,
            boolean cycle) {
        if (!called) {
            return last.toString();
        }
        BigInteger next = last.add(increment);
        if (next.compareTo(max) > 0 || next.compareTo(min) < 0) {
            if (!cycle) {
                return "exhausted at " + last;
            }
            return (increment.signum() > 0 ? min : max).toString();
        }
        return next.toString();
    }

    @FunctionalInterface
    private interface Rows<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private <T> T query(String sql, Rows<T> reader) throws SQLException {
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
        try (Statement statement = connection.createStatement()) {
            running.set(statement);
            // A cancel that came between the check above and here found no statement to cancel.
            if (cancellation.isCancelled()) {
                throw new Cancellation.CancelledException();
            }
            try (ResultSet rows = statement.executeQuery(sql)) {
                return reader.read(rows);
            }
        } finally {
            running.set(null);
        }
    }

    private void cancelRunning() {
        Statement statement = running.get();
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                // The statement finished meanwhile; the next query sees the cancel.
            }
        }
    }
}
