package dev.custos.audit;

import javax.sql.DataSource;

import org.sqlite.SQLiteDataSource;

/** The audit trail on the embedded default catalog: a SQLite file. */
class SqliteAuditTrailIT extends AuditTrailContract {

    @Override
    DataSource catalog() {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + dir.resolve("custos-" + System.nanoTime() + ".db"));
        return dataSource;
    }

    @Override
    String vendor() {
        return "sqlite";
    }

    @Override
    void failAuditInserts() {
        jdbc.sql("CREATE TRIGGER no_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk full'); END").update();
    }
}
