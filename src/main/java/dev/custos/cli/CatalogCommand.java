package dev.custos.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.custos.backups.BackupHistoryRebuild;
import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.SecretBox;
import dev.custos.pipeline.SealedKeys;
import dev.custos.storage.LocalStorageBackend;

/** {@code custos catalog …}: work on the catalog itself. */
@Command(name = "catalog", description = "Work on the catalog without the server.",
        subcommands = CatalogCommand.Rebuild.class)
final class CatalogCommand implements Runnable {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing the command: rebuild");
    }

    /**
     * {@code custos catalog rebuild}: the backup history and the encryption keys back from the manifests in storage,
     * into the configured catalog (migrated first, created if missing). Stop Custos first: the history it shows is
     * read at start-up, and a rebuild is cheaper to reason about on a quiet catalog (though adding nothing twice, it
     * is safe beside a running one).
     */
    @Command(name = "rebuild", sortOptions = false,
            description = {"Recreate the backup history from the manifests in storage, after the catalog was lost.",
                    "Every manifest whose file is there becomes a completed backup again, unless the catalog has it;"
                            + " the encryption keys the manifests carry come back, retired.",
                    "The catalog is the configured one (./data/custos.db, or CUSTOS_CATALOG_URL)."},
            footerHeading = "%nExample:%n",
            footer = "  custos catalog rebuild --storage /mnt/backup-disk/custos/backups")
    static final class Rebuild implements Callable<Integer> {

        @Option(names = "--storage", paramLabel = "DIR",
                description = "The backup folder. Default: the configured one (./data/backups).")
        Path storage;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        private final Cli.Invocation invocation;

        Rebuild(Cli.Invocation invocation) {
            this.invocation = invocation;
        }

        @Override
        public Integer call() throws IOException {
            PrintWriter out = invocation.terminal().err();
            try (ConfigurableApplicationContext context = Contexts.catalog(invocation.settings())) {
                CustosProperties custos = context.getBean(CustosProperties.class);
                Path folder = storage != null ? storage : custos.storage().local().path();
                // Checked before the store is opened: it would create a missing folder and find it empty.
                if (!Files.isDirectory(folder)) {
                    throw new Failure("No backup folder at " + folder.toAbsolutePath() + "; give it with --storage");
                }
                out.println("Rebuilding the backup history of " + custos.catalog().url() + " from " + folder.toAbsolutePath());
                BackupHistoryRebuild.Report report = context.getBean(BackupHistoryRebuild.class)
                        .rebuild(new LocalStorageBackend(folder));
                out.println("Manifests found:          " + report.manifests());
                out.println("Backups added:            " + report.inserted());
                out.println("Backups already known:    " + report.skipped());
                out.println("Encryption keys restored: " + report.keysRestored());
                out.println("Files without a manifest: " + report.objectsWithoutManifest().size());
                report.objectsWithoutManifest().forEach(key -> out.println("  " + key));
                masterKeyCheck(custos, report.keysets()).forEach(out::println);
                if (!report.problems().isEmpty()) {
                    out.println("Manifests not used:       " + report.problems().size());
                    report.problems().forEach(problem -> out.println("  " + problem));
                    return Failure.FAILED;
                }
                return 0;
            }
        }

        /**
         * Whether the master key Custos will start with opens the keys just restored: the rebuild itself copies them
         * sealed and needs no key, but without the right one no encrypted backup can be read.
         */
        static List<String> masterKeyCheck(CustosProperties custos, Map<String, String> keysets) {
            if (keysets.isEmpty()) {
                return List.of();
            }
            SecretBox box;
            try {
                box = SecretBox.withExistingKey(custos.masterKey(), custos.masterKeyFile());
            } catch (RuntimeException e) {
                return List.of("Warning: " + e.getMessage() + ". Encrypted backups can be read only once the master key"
                        + " they were made with is there");
            }
            SealedKeys keys = new SealedKeys(box, keysets);
            List<String> unopened = new ArrayList<>();
            for (String id : keysets.keySet()) {
                try {
                    keys.streamingAead(id);
                } catch (GeneralSecurityException e) {
                    unopened.add(id);
                }
            }
            if (unopened.isEmpty()) {
                return List.of("The master key opens every encryption key of the backups (" + keysets.size() + ")");
            }
            return List.of("Warning: the master key does not open the encryption keys " + String.join(", ", unopened)
                    + ": the backups they encrypted can be read only with the master key they were made with");
        }
    }
}
