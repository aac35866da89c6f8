package dev.custos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;

/** Which arguments start the server and which a command, and how the commands read their command lines. */
class CliTest {

    @Test
    void noArgumentsOrOnlySettingsStartTheServer() {
        assertThat(Cli.isCommand(new String[0])).isFalse();
        assertThat(Cli.isCommand(new String[] {"--server.port=8080"})).isFalse();
        assertThat(Cli.isCommand(new String[] {"--spring.profiles.active=prod", "--custos.data-dir=/srv/custos",
                "--debug"})).isFalse();
    }

    @Test
    void aCommandWordOrAskingForHelpRunsTheTools() {
        assertThat(Cli.isCommand(new String[] {"decrypt", "x.dump.enc"})).isTrue();
        assertThat(Cli.isCommand(new String[] {"restore-file"})).isTrue();
        assertThat(Cli.isCommand(new String[] {"--custos.data-dir=/srv/custos", "catalog", "rebuild"})).isTrue();
        assertThat(Cli.isCommand(new String[] {"--help"})).isTrue();
        assertThat(Cli.isCommand(new String[] {"-h"})).isTrue();
        // A mistyped command is reported by the tools, not ignored by a server that starts instead.
        assertThat(Cli.isCommand(new String[] {"restore"})).isTrue();
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        Terminals t = new Terminals();

        assertThat(t.run("--help")).isZero();

        assertThat(t.out()).contains("Usage: custos", "decrypt", "restore-file", "catalog", "Exit codes", "64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"decrypt", "restore-file", "catalog", "catalog rebuild"})
    void everyCommandPrintsItsUsage(String command) {
        Terminals t = new Terminals();
        List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
        args.add("--help");

        assertThat(t.run(args.toArray(String[]::new))).isZero();

        assertThat(t.out()).startsWith("Usage: custos " + command);
    }

    @Test
    void theUsageOfEachCommandNamesItsOptions() {
        Terminals t = new Terminals();
        t.run("decrypt", "--help");
        t.run("restore-file", "--help");
        t.run("catalog", "rebuild", "--help");

        assertThat(t.out()).contains("--output", "--manifest", "--master-key-file", "--type", "--database", "--host",
                "--port", "--user", "--create-database", "--strict-delete", "--confirm", "--keep-definers", "--no-owner",
                "--storage", "CUSTOS_TARGET_PASSWORD");
    }

    @Test
    void settingsBeforeTheCommandAreNotTakenForOptions() {
        Terminals t = new Terminals();

        assertThat(t.run("--custos.data-dir=/nonexistent", "catalog", "rebuild", "--help")).isZero();
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Terminals t = new Terminals();

        assertThat(t.run("restore", "x")).isEqualTo(Failure.USAGE);

        assertThat(t.err()).contains("restore-file");
    }

    @Test
    void catalogAloneIsAUsageError() {
        Terminals t = new Terminals();

        assertThat(t.run("catalog")).isEqualTo(Failure.USAGE);

        assertThat(t.err()).contains("Missing the command: rebuild", "Usage: custos catalog");
    }

    @Test
    void restoreFileNeedsATypeAndADatabase() {
        Terminals t = new Terminals();

        assertThat(t.run("restore-file", "x.dump")).isEqualTo(Failure.USAGE);

        assertThat(t.err()).contains("Missing required options", "--type", "--database");
    }

    @Test
    void restoreFileTakesOnlyTheKindsCustosBacksUp() {
        Terminals t = new Terminals();

        assertThat(t.run("restore-file", "x.dump", "--type", "oracle", "--database", "d")).isEqualTo(Failure.USAGE);

        assertThat(t.err()).contains("postgresql", "mysql", "sqlite");
    }

    @Test
    void aPasswordIsNeverAnArgument() {
        Terminals t = new Terminals();

        assertThat(t.run("restore-file", "x.dump", "--type", "postgresql", "--database", "d", "--password", "secret"))
                .isEqualTo(Failure.USAGE);
        assertThat(t.run("restore-file", "x.dump", "--type", "postgresql", "--database", "d", "--password=secret"))
                .isEqualTo(Failure.USAGE);

        assertThat(t.err()).contains("Unknown option");
    }

    @Test
    void thePasswordComesFromTheEnvironmentFirst() {
        Terminals t = new Terminals(Map.of("CUSTOS_TARGET_PASSWORD", "from-env"), prompt -> "typed".toCharArray());

        ConnectionTarget target = restoreFile(t, "postgresql").target(DatabaseKind.POSTGRESQL);

        assertThat(target.password()).isEqualTo("from-env");
        assertThat(target.username()).isEqualTo("backup");
        assertThat(target.port()).isEqualTo(5432);
    }

    @Test
    void withoutTheVariableATerminalIsAskedAndWithoutOneThePasswordIsEmpty() {
        StringBuilder asked = new StringBuilder();
        Terminals console = new Terminals(Map.of(), prompt -> {
            asked.append(prompt);
            return "typed".toCharArray();
        });
        Terminals noConsole = new Terminals();

        assertThat(restoreFile(console, "mysql").target(DatabaseKind.MYSQL).password()).isEqualTo("typed");
        assertThat(asked).contains("backup@db.internal", "CUSTOS_TARGET_PASSWORD");
        assertThat(restoreFile(noConsole, "mysql").target(DatabaseKind.MYSQL).password()).isEmpty();
    }

    @Test
    void sqliteNeedsNoPasswordNorHost() {
        Terminals t = new Terminals(Map.of(), prompt -> {
            throw new AssertionError("asked for a password");
        });

        ConnectionTarget target = restoreFile(t, "sqlite").target(DatabaseKind.SQLITE);

        assertThat(target.host()).isNull();
        assertThat(target.password()).isNull();
        assertThat(target.databaseName()).isEqualTo(java.nio.file.Path.of("shop").toAbsolutePath().toString());
    }

    private static RestoreFileCommand restoreFile(Terminals t, String type) {
        RestoreFileCommand command = new RestoreFileCommand(new Cli.Invocation(List.of(), t.terminal));
        picocli.CommandLine cli = new picocli.CommandLine(command);
        cli.parseArgs("x.dump", "--type", type, "--database", "shop", "--host", "db.internal", "--user", "backup");
        return command;
    }
}
