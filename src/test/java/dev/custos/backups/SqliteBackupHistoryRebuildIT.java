package dev.custos.backups;

import javax.sql.DataSource;

import org.sqlite.SQLiteDataSource;

/** The rebuild on the embedded default catalog: a SQLite file. */
class SqliteBackupHistoryRebuildIT extends BackupHistoryRebuildContract {

    @Override
    DataSource catalog() {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + dir.resolve("custos.db"));
        return dataSource;
    }

    @Override
    String vendor() {
        return "sqlite";
    }
}
