package dev.custos.catalog;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Locks a row for the rest of the transaction before a read-merge-write update, so two partial updates of one
 * resource cannot both read the old row and the second overwrite the first one's change. PostgreSQL takes a
 * row lock ({@code FOR UPDATE}); SQLite needs none, because its transactions take the database's write lock
 * when they begin (IMMEDIATE, see {@link CatalogDataSource}).
 */
@Component
public class RowLocks {

    private final JdbcClient jdbc;
    private final boolean postgres;

    public RowLocks(JdbcClient jdbc, CustosProperties properties) {
        this.jdbc = jdbc;
        this.postgres = properties.catalog().isPostgres();
    }

    /** Call inside the update's transaction, before reading the row. {@code table} is a constant, never input. */
    public void lock(String table, Object id) {
        if (postgres) {
            jdbc.sql("SELECT id FROM " + table + " WHERE id = ? FOR UPDATE").param(id).query(String.class).optional();
        }
    }
}
