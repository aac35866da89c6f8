package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DatabaseKindTest {

    @Test
    void wireNamesAreTheApisLowerCaseNames() {
        assertThat(DatabaseKind.wireNames()).containsExactly("postgresql", "mysql", "sqlite", "sqlserver", "azure_sql");
    }

    @Test
    void parsesExactWireNamesOnly() {
        assertThat(DatabaseKind.parse("azure_sql")).contains(DatabaseKind.AZURE_SQL);
        assertThat(DatabaseKind.parse("postgresql")).contains(DatabaseKind.POSTGRESQL);
        assertThat(DatabaseKind.parse("PostgreSQL")).isEmpty();
        assertThat(DatabaseKind.parse("postgres")).isEmpty();
        assertThat(DatabaseKind.parse("AZURE_SQL")).isEmpty();
        assertThat(DatabaseKind.parse(null)).isEmpty();
    }

    @Test
    void defaultPortsAndNetworking() {
        assertThat(DatabaseKind.POSTGRESQL.defaultPort()).isEqualTo(5432);
        assertThat(DatabaseKind.MYSQL.defaultPort()).isEqualTo(3306);
        assertThat(DatabaseKind.SQLITE.defaultPort()).isZero();
        assertThat(DatabaseKind.SQLSERVER.defaultPort()).isEqualTo(1433);
        assertThat(DatabaseKind.AZURE_SQL.defaultPort()).isEqualTo(1433);
        assertThat(DatabaseKind.SQLITE.networked()).isFalse();
        assertThat(DatabaseKind.MYSQL.networked()).isTrue();
    }
}
