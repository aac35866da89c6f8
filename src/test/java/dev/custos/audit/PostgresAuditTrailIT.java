package dev.custos.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.postgresql.ds.PGSimpleDataSource;

import dev.custos.engines.RealServers;

/** The audit trail on a PostgreSQL catalog: a fresh database on the local server for each test. */
class PostgresAuditTrailIT extends AuditTrailContract {

    private static final List<String> DATABASES = new ArrayList<>();

    @Override
    DataSource catalog() throws SQLException {
        String name = RealServers.randomName();
        admin("CREATE DATABASE " + name);
        DATABASES.add(name);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://127.0.0.1:5432/" + name);
        dataSource.setUser("postgres");
        return dataSource;
    }

    @Override
    String vendor() {
        return "postgresql";
    }

    @Override
    void failAuditInserts() {
        jdbc.sql("CREATE FUNCTION no_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$")
                .update();
        jdbc.sql("CREATE TRIGGER no_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION no_audit()").update();
    }

    @AfterAll
    static void drop() throws SQLException {
        for (String name : DATABASES) {
            admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
