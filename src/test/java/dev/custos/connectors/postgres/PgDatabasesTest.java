package dev.custos.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Whole databases by name: quoted, cut to fit, and worked on from another database of the server. */
class PgDatabasesTest {

    private static final ConnectionTarget TARGET =
            new ConnectionTarget(DatabaseKind.POSTGRESQL, "db.example", 5433, "shop", "alice", "s3cret pw");

    @Test
    void sideNamesFitInSixtyThreeBytesCutOnACharacter() {
        assertThat(PgDatabases.sideName("shop", "_custos_0a1b2c3d")).isEqualTo("shop_custos_0a1b2c3d");
        String longName = "ü".repeat(40);
        String side = PgDatabases.sideName(longName, "_custos_old_0a1b2c3d");

        assertThat(side).endsWith("_custos_old_0a1b2c3d").startsWith("üüü");
        assertThat(side.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63).isGreaterThan(61);
    }

    @Test
    void identifiersAreQuotedWithTheirQuotesDoubled() {
        assertThat(PgDatabases.identifier("Shop \"2024\"")).isEqualTo("\"Shop \"\"2024\"\"\"");
    }

    @Test
    void databaseWideWorkNeverConnectsToTheTargetItself() {
        assertThat(PgDatabases.adminTarget(TARGET).databaseName()).isEqualTo("postgres");
        ConnectionTarget postgres = new ConnectionTarget(DatabaseKind.POSTGRESQL, "db", 0, "postgres", "a", "pw");
        assertThat(PgDatabases.adminTarget(postgres).databaseName()).isEqualTo("template1");
        assertThat(PgDatabases.adminTarget(postgres).password()).isEqualTo("pw");
    }
}
