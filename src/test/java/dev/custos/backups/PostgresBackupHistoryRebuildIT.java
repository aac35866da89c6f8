package dev.custos.backups;

import java.sql.SQLException;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;

import dev.custos.support.FreshPostgresDatabases;

/** The rebuild on a PostgreSQL catalog: a fresh database on the local server for each test. */
class PostgresBackupHistoryRebuildIT extends BackupHistoryRebuildContract {

    private static final FreshPostgresDatabases DATABASES = new FreshPostgresDatabases();

    @Override
    DataSource catalog() throws SQLException {
        return DATABASES.create();
    }

    @Override
    String vendor() {
        return "postgresql";
    }

    @AfterAll
    static void drop() throws SQLException {
        DATABASES.dropAll();
    }
}
