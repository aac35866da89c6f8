package dev.custos.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code custos}: the commands; with none, its usage. */
@Command(name = "custos",
        description = {"Disaster recovery tools of Custos. They run without the server and without its catalog.",
                "Without a command, java -jar custos.jar starts the server."},
        subcommands = {DecryptCommand.class, RestoreFileCommand.class, CatalogCommand.class, AuditCommand.class},
        exitCodeOnInvalidInput = Failure.USAGE,
        exitCodeOnExecutionException = Failure.FAILED,
        footerHeading = "%nExit codes:%n",
        footer = {"  0   done", "  1   failed (the reason is on stderr)",
                "  2   the backup file is not what was written (size, SHA-256, decryption),",
                "      or an audit export was changed",
                "  64  wrong command line",
                "",
                "Settings are read as the server reads them: from the environment",
                "(CUSTOS_DATA_DIR, CUSTOS_MASTER_KEY, CUSTOS_CATALOG_URL, ...), or given",
                "before the command:",
                "  custos --custos.data-dir=/srv/custos catalog rebuild"})
final class CustosCommand implements Runnable {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
