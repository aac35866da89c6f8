package dev.custos.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How pg_restore and psql are called: the connection as arguments, never the password. */
class PgRestoreArgumentsTest {

    private static final ConnectionTarget TARGET =
            new ConnectionTarget(DatabaseKind.POSTGRESQL, "db.example", 5433, "shop", "alice", "s3cret pw");

    @Test
    void pgRestoreRunsInOneTransactionAndStopsAtTheFirstError() {
        List<String> argv = PgRestore.pgRestoreArguments(Path.of("/usr/lib/postgresql/15/bin/pg_restore"), TARGET,
                "shop", false, false);

        assertThat(argv).containsExactly("/usr/lib/postgresql/15/bin/pg_restore", "--single-transaction",
                "--exit-on-error", "--no-password", "--host=db.example", "--port=5433", "--username=alice",
                "--dbname=dbname='shop'");
    }

    @Test
    void replaceCleansFirstAndNoOwnerLeavesOwnershipToTheRestoringUser() {
        List<String> argv = PgRestore.pgRestoreArguments(Path.of("pg_restore"), TARGET, "shop", true, true);

        assertThat(argv).containsSubsequence("--single-transaction", "--exit-on-error", "--clean", "--if-exists",
                "--no-owner", "--dbname=dbname='shop'");
    }

    @Test
    void psqlReadsStdinAsOneTransactionIgnoringPsqlrcAndStoppingOnError() {
        List<String> argv = PgRestore.psqlArguments(Path.of("/usr/lib/postgresql/15/bin/psql"), TARGET, "shop");

        assertThat(argv).containsExactly("/usr/lib/postgresql/15/bin/psql", "--no-psqlrc", "--quiet",
                "--set=ON_ERROR_STOP=1", "--single-transaction", "--no-password", "--host=db.example", "--port=5433",
                "--username=alice", "--dbname=dbname='shop'", "--file=-");
    }

    @Test
    void neitherToolSeesThePasswordAndAnAwkwardNameStaysAName() {
        String awkward = "host=evil it's \\ \"odd\"";
        List<String> restore = PgRestore.pgRestoreArguments(Path.of("pg_restore"), TARGET, awkward, true, false);
        List<String> psql = PgRestore.psqlArguments(Path.of("psql"), TARGET, awkward);

        assertThat(restore).contains("--dbname=dbname='host=evil it\\'s \\\\ \"odd\"'");
        assertThat(psql).contains("--dbname=dbname='host=evil it\\'s \\\\ \"odd\"'");
        assertThat(String.join(" ", restore) + String.join(" ", psql)).doesNotContain("s3cret");
    }
}
