package dev.custos.engines;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The machine's real servers for API tests: PostgreSQL 15 on 127.0.0.1:5432 (trust authentication, user
 * postgres) and MariaDB 10.11 on 127.0.0.1:3306 (root without a password). A test class keeps one instance,
 * creates the databases and accounts it needs through it and calls {@link #dropAll()} in {@code @AfterAll}.
 * A server that is down makes the test that needs it fail: nothing here skips.
 */
public final class RealServers {

    public static final String HOST = "127.0.0.1";
    public static final int POSTGRES_PORT = 5432;
    public static final int MARIADB_PORT = 3306;
    /** The driver may log in as 'user'@'localhost' or 'user'@'%' depending on how the server resolves 127.0.0.1. */
    private static final List<String> MARIADB_USER_HOSTS = List.of("%", "localhost");

    private final List<String> postgresDatabases = new ArrayList<>();
    private final List<String> mariadbDatabases = new ArrayList<>();
    private final List<String> mariadbUsers = new ArrayList<>();

    /** A database name no server holds: {@code custos_it_<random>}. */
    public static String randomName() {
        return "custos_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    /** Creates a new, empty PostgreSQL database and returns its name. */
    public String postgresDatabase() {
        String name = randomName();
        postgres("CREATE DATABASE " + name);
        postgresDatabases.add(name);
        return name;
    }

    /** A name for a PostgreSQL database a test lets Custos create; dropped with the others. */
    public String newPostgresName() {
        String name = randomName();
        postgresDatabases.add(name);
        return name;
    }

    /** A name for a MariaDB database a test lets Custos create; dropped with the others. */
    public String newMariadbName() {
        String name = randomName();
        mariadbDatabases.add(name);
        return name;
    }

    /** An account to drop with the others, whatever created it. */
    public void trackMariadbUser(String user) {
        mariadbUsers.add(user);
    }

    /** Creates a new, empty MariaDB database and returns its name. */
    public String mariadbDatabase() {
        String name = randomName();
        mariadb("CREATE DATABASE `" + name + "`");
        mariadbDatabases.add(name);
        return name;
    }

    /** A MariaDB account that logs in with {@code password} and may use {@code database}. */
    public void mariadbUser(String user, String password, String database) {
        for (String host : MARIADB_USER_HOSTS) {
            mariadb("CREATE OR REPLACE USER '" + user + "'@'" + host + "' IDENTIFIED BY '" + password + "'");
            mariadb("GRANT ALL PRIVILEGES ON `" + database + "`.* TO '" + user + "'@'" + host + "'");
        }
        mariadbUsers.add(user);
    }

    public void dropAll() {
        postgresDatabases.forEach(name -> postgres("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
        mariadbDatabases.forEach(name -> mariadb("DROP DATABASE IF EXISTS `" + name + "`"));
        for (String user : mariadbUsers) {
            MARIADB_USER_HOSTS.forEach(host -> mariadb("DROP USER IF EXISTS '" + user + "'@'" + host + "'"));
        }
        postgresDatabases.clear();
        mariadbDatabases.clear();
        mariadbUsers.clear();
    }

    private static void postgres(String sql) {
        Properties login = new Properties();
        login.setProperty("user", "postgres");
        execute(new org.postgresql.Driver(), "jdbc:postgresql://" + HOST + ":" + POSTGRES_PORT + "/postgres", login, sql);
    }

    private static void mariadb(String sql) {
        Properties login = new Properties();
        login.setProperty("user", "root");
        execute(new org.mariadb.jdbc.Driver(), "jdbc:mariadb://" + HOST + ":" + MARIADB_PORT + "/", login, sql);
    }

    private static void execute(java.sql.Driver driver, String url, Properties login, String sql) {
        try (Connection connection = driver.connect(url, login); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot run '" + sql + "' on " + url + ": is the server up?", e);
        }
    }
}
