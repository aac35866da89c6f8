package dev.custos.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custos.connectors.DumpException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule "pg_dump's major version ≥ the server's, the same major preferred" over made-up installations. */
class PgDumpVersionsTest {

    @Test
    void theServersOwnMajorWinsOverANewerOne() {
        PgDump chosen = PgDumpVersions.choose(server("15.3"), List.of(pgDump("17.1"), pgDump("15.8"), pgDump("16.4")));

        assertThat(chosen.version().text()).isEqualTo("15.8");
    }

    @Test
    void amongTheSameMajorTheNewestMinorWins() {
        PgDump chosen = PgDumpVersions.choose(server("15.3"), List.of(pgDump("15.2"), pgDump("15.8"), pgDump("15.4")));

        assertThat(chosen.version().text()).isEqualTo("15.8");
    }

    @Test
    void theServersMajorWinsEvenWithAnOlderMinorThanTheServer() {
        // 15.2 dumps a 15.8 server: minor releases do not change the dump format.
        PgDump chosen = PgDumpVersions.choose(server("15.8"), List.of(pgDump("15.2"), pgDump("16.1")));

        assertThat(chosen.version().text()).isEqualTo("15.2");
    }

    @Test
    void withoutTheServersMajorTheNewestLaterMajorIsUsed() {
        PgDump chosen = PgDumpVersions.choose(server("14.11"), List.of(pgDump("13.9"), pgDump("16.2"), pgDump("15.8")));

        assertThat(chosen.version().text()).isEqualTo("16.2");
    }

    @Test
    void onATieTheFirstFoundWins() {
        PgDump first = new PgDump(Path.of("/usr/lib/postgresql/15/bin/pg_dump"), tool("15.8"));
        PgDump second = new PgDump(Path.of("/opt/pg/bin/pg_dump"), tool("15.8"));

        assertThat(PgDumpVersions.choose(server("15.8"), List.of(first, second))).isSameAs(first);
    }

    @Test
    void onlyOlderClientsFailNamingBothVersionsAndThePackage() {
        assertThatThrownBy(() -> PgDumpVersions.choose(server("16.2"), List.of(pgDump("13.1"), pgDump("15.8"))))
                .isInstanceOf(DumpException.class)
                .hasMessage("server is PostgreSQL 16.2 but the newest pg_dump installed is 15.8;"
                        + " install postgresql-client-16");
    }

    @Test
    void noClientAtAllSaysSo() {
        assertThatThrownBy(() -> PgDumpVersions.choose(server("15.8"), List.of()))
                .isInstanceOf(DumpException.class)
                .hasMessage("server is PostgreSQL 15.8 but no pg_dump is installed; install postgresql-client-15");
    }

    @Test
    void majorsBeforeTenHaveTwoParts() {
        assertThat(PgDumpVersions.choose(server("9.6.24"), List.of(pgDump("9.5.25"), pgDump("10.23"))).version().text())
                .isEqualTo("10.23");
        assertThatThrownBy(() -> PgDumpVersions.choose(server("9.6.24"), List.of(pgDump("9.5.25"))))
                .hasMessage("server is PostgreSQL 9.6.24 but the newest pg_dump installed is 9.5.25;"
                        + " install postgresql-client-9.6");
    }

    @Test
    void readsWhatPgDumpPrints() {
        assertThat(PgVersion.ofTool("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"))
                .contains(new PgVersion(150020, "15.20"));
        assertThat(PgVersion.ofTool("pg_dump (PostgreSQL) 9.6.24")).contains(new PgVersion(90624, "9.6.24"));
        assertThat(PgVersion.ofTool("pg_dump (PostgreSQL) 17beta1")).contains(new PgVersion(170000, "17beta1"));
        assertThat(PgVersion.ofTool("sh: pg_dump: not found")).isEmpty();
    }

    @Test
    void theServerVersionLosesItsPackagingSuffix() {
        assertThat(PgVersion.ofServer(150020, "15.20 (Debian 15.20-0+deb12u1)")).isEqualTo(new PgVersion(150020, "15.20"));
    }

    private static PgVersion server(String version) {
        PgVersion parsed = tool(version);
        return PgVersion.ofServer(parsed.number(), version);
    }

    private static PgVersion tool(String version) {
        return PgVersion.ofTool("pg_dump (PostgreSQL) " + version).orElseThrow();
    }

    private static PgDump pgDump(String version) {
        return new PgDump(Path.of("/usr/lib/postgresql/" + version + "/bin/pg_dump"), tool(version));
    }
}
