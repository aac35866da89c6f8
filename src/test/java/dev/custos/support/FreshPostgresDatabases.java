package dev.custos.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;

import dev.custos.engines.RealServers;

/**
 * Empty databases on the machine's PostgreSQL for tests that need a catalog of their own (contract tests run against
 * PostgreSQL): each {@link #create()} makes one; {@link #dropAll()}, from an {@code @AfterAll}, removes them.
 */
public final class FreshPostgresDatabases {

    private final List<String> names = new ArrayList<>();

    public synchronized DataSource create() throws SQLException {
        String name = RealServers.randomName();
        admin("CREATE DATABASE " + name);
        names.add(name);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://127.0.0.1:5432/" + name);
        dataSource.setUser("postgres");
        return dataSource;
    }

    public synchronized void dropAll() throws SQLException {
        for (String name : names) {
            admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
        names.clear();
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
