package dev.custos.audit;

import java.sql.SQLException;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;

import dev.custos.support.FreshPostgresDatabases;

/** The audit trail on a PostgreSQL catalog: a fresh database on the local server for each test. */
class PostgresAuditTrailIT extends AuditTrailContract {

    private static final FreshPostgresDatabases DATABASES = new FreshPostgresDatabases();

    @Override
    DataSource catalog() throws SQLException {
        return DATABASES.create();
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
        DATABASES.dropAll();
    }
}
