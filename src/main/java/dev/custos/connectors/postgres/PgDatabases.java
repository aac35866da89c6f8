package dev.custos.connectors.postgres;

import dev.custos.connectors.ConnectionTarget;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole databases of one server, handled through a connection to another of its databases (CREATE, DROP and
 * RENAME cannot run in the database they act on). Statements that name a database are built by the server's own
 * {@code format()} where they take values from its catalog, so that every name and value is quoted as PostgreSQL
 * quotes it.
 */
final class PgDatabases {

    /** NAMEDATALEN - 1: longer names are cut by the server, which would make two side names collide. */
    static final int MAX_NAME_BYTES = 63;

    /** Settings whose stored value is already a list of quoted identifiers (pg_dump's GUC_LIST_QUOTE ones). */
    private static final String LIST_SETTINGS = "('search_path', 'temp_tablespaces', 'session_preload_libraries',"
            + " 'shared_preload_libraries', 'local_preload_libraries', 'unix_socket_directories')";

    private PgDatabases() {
    }

    /**
     * Where to connect for work on the target database as a whole: the maintenance database, or template1 when the
     * target is the maintenance database itself.
     */
    static ConnectionTarget adminTarget(ConnectionTarget target) {
        String database = PostgresConnector.MAINTENANCE_DATABASE.equals(target.databaseName())
                ? "template1" : PostgresConnector.MAINTENANCE_DATABASE;
        return new ConnectionTarget(target.kind(), target.host(), target.port(), database, target.username(),
                target.password());
    }

    /** A quoted identifier: "Name", with embedded quotes doubled. */
    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static boolean exists(Connection connection, String name) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            statement.setString(1, name);
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        }
    }

    /**
     * Client sessions on the database other than this connection's, as "pid 123 app psql user alice". Background
     * workers (autovacuum) are left out: the server ends them itself before a rename or drop.
     */
    /**
     * Client sessions on database {@code name} besides this one. Custos's own short-lived connections (application
     * "custos": an inspect, a fingerprint, a connection test) linger in pg_stat_activity for a moment after they
     * closed, while their backend exits; when they are all that is listed, this asks again for up to 2 s rather than
     * refuse a restore because of Custos itself.
     */
    static List<String> otherSessions(Connection connection, String name) throws SQLException {
        List<String> sessions = listSessions(connection, name);
        for (int i = 0; i < 20 && !sessions.isEmpty() && sessions.stream().allMatch(s -> s.contains(" app custos user ")); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sessions = listSessions(connection, name);
        }
        return sessions;
    }

    private static List<String> listSessions(Connection connection, String name) throws SQLException {
        List<String> sessions = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT pid, application_name, usename FROM pg_stat_activity"
                        + " WHERE datname = ? AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                        + " ORDER BY pid")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String app = rows.getString(2);
                    String shownApp = app == null || app.isBlank() ? "(none)"
                            : app.chars().anyMatch(Character::isWhitespace) ? "\"" + app + "\"" : app;
                    sessions.add("pid " + rows.getInt(1) + " app " + shownApp + " user " + rows.getString(3));
                }
            }
        }
        return sessions;
    }

    /** An empty database from template0, owned by the connected user. */
    static void create(Connection connection, String name) throws SQLException {
        execute(connection, "CREATE DATABASE " + identifier(name) + " TEMPLATE template0");
    }

    /**
     * An empty database from template0 with the owner, encoding, locale, tablespace and connection limit of
     * {@code model}: what pg_dump (without --create) leaves to the database it restores into.
     */
    static void createLike(Connection connection, String model, String name) throws SQLException {
        // to_jsonb reads locale columns that only some versions have (daticulocale 15-16, datlocale 17+).
        String sql = "SELECT format('CREATE DATABASE %I TEMPLATE template0 OWNER %I ENCODING %L LC_COLLATE %L"
                + " LC_CTYPE %L TABLESPACE %I CONNECTION LIMIT %s', ?::text, pg_get_userbyid(d.datdba),"
                + " pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, t.spcname, d.datconnlimit)"
                + " || CASE j->>'datlocprovider'"
                + "   WHEN 'i' THEN format(' LOCALE_PROVIDER icu ICU_LOCALE %L',"
                + "     coalesce(j->>'datlocale', j->>'daticulocale'))"
                + "     || CASE WHEN j->>'daticurules' IS NOT NULL THEN format(' ICU_RULES %L', j->>'daticurules')"
                + "        ELSE '' END"
                + "   WHEN 'b' THEN format(' LOCALE_PROVIDER builtin BUILTIN_LOCALE %L', j->>'datlocale')"
                + "   WHEN 'c' THEN ' LOCALE_PROVIDER libc'"
                + "   ELSE '' END"
                + " FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace, to_jsonb(d) j"
                + " WHERE d.datname = ?";
        List<String> statements = statements(connection, sql, name, model);
        if (statements.isEmpty()) {
            throw new SQLException("database \"" + model + "\" does not exist", "3D000");
        }
        execute(connection, statements.get(0));
    }

    /**
     * Gives {@code name} what {@code model} has beyond its objects and is not in a dump made without --create: its
     * settings (ALTER DATABASE … SET, also per role), its privileges and its comment. Applied after the restore:
     * a setting such as default_transaction_read_only would otherwise stop the restore itself.
     */
    static void copyProperties(Connection connection, String model, String name) throws SQLException {
        List<String> all = new ArrayList<>();
        all.addAll(statements(connection, "SELECT CASE WHEN s.setrole = 0"
                + "   THEN format('ALTER DATABASE %I SET %s TO ', ?::text, split_part(c, '=', 1))"
                + "   ELSE format('ALTER ROLE %I IN DATABASE %I SET %s TO ', r.rolname, ?::text, split_part(c, '=', 1))"
                + " END || CASE WHEN split_part(c, '=', 1) IN " + LIST_SETTINGS
                + "   THEN substr(c, strpos(c, '=') + 1) ELSE quote_literal(substr(c, strpos(c, '=') + 1)) END"
                + " FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) c"
                + " WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = ?)"
                // A name is letters, digits, '_' and '.'; anything else would not be a setting's name.
                + " AND split_part(c, '=', 1) ~ '^[A-Za-z0-9_.]+$'"
                + " ORDER BY s.setrole, c", name, name, model));
        // NULL privileges mean the defaults, which the new database has; anything else replaces them exactly.
        all.addAll(statements(connection, "SELECT s FROM pg_database d, LATERAL (VALUES"
                + "   (0, format('REVOKE ALL ON DATABASE %I FROM PUBLIC', ?::text)),"
                + "   (1, format('REVOKE ALL ON DATABASE %I FROM %I', ?::text, pg_get_userbyid(d.datdba)))) v(i, s)"
                + " WHERE d.datname = ? AND d.datacl IS NOT NULL ORDER BY i", name, name, model));
        all.addAll(statements(connection, "SELECT format('GRANT %s ON DATABASE %I TO %s%s', a.privilege_type, ?::text,"
                + "   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,"
                + "   CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)"
                + " FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = ?", name, model));
        all.addAll(statements(connection, "SELECT format('COMMENT ON DATABASE %I IS %L', ?::text, s.description)"
                + " FROM pg_shdescription s JOIN pg_database d ON d.oid = s.objoid"
                + " WHERE s.classoid = 'pg_database'::regclass AND d.datname = ?", name, model));
        for (String statement : all) {
            execute(connection, statement);
        }
    }

    /**
     * Puts {@code fresh} in the place of {@code target}, which becomes {@code old}: both renames in one
     * transaction, so that either both happen or neither. The server refuses to rename a database other sessions
     * are connected to, which makes the swap itself the last check that nobody uses the target.
     */
    static void swap(Connection connection, String target, String fresh, String old) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            execute(connection, "ALTER DATABASE " + identifier(target) + " RENAME TO " + identifier(old));
            execute(connection, "ALTER DATABASE " + identifier(fresh) + " RENAME TO " + identifier(target));
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Drops the database if it exists, ending its sessions first. */
    static void drop(Connection connection, String name) throws SQLException {
        execute(connection, "DROP DATABASE IF EXISTS " + identifier(name) + " WITH (FORCE)");
    }

    /**
     * {@code base} followed by {@code suffix}, {@code base} cut (on a character boundary) so that the whole fits in
     * {@link #MAX_NAME_BYTES} bytes of UTF-8.
     */
    static String sideName(String base, String suffix) {
        int budget = MAX_NAME_BYTES - suffix.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder kept = new StringBuilder();
        int used = 0;
        for (int i = 0; i < base.length(); ) {
            int codePoint = base.codePointAt(i);
            int bytes = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (used + bytes > budget) {
                break;
            }
            kept.appendCodePoint(codePoint);
            used += bytes;
            i += Character.charCount(codePoint);
        }
        return kept + suffix;
    }

    private static List<String> statements(Connection connection, String sql, String... parameters)
            throws SQLException {
        List<String> statements = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    statements.add(rows.getString(1));
                }
            }
        }
        return statements;
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
