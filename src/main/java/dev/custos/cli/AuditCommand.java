package dev.custos.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.audit.ExportVerifier;
import dev.custos.audit.PublicKeys;

/** {@code custos audit …}: work on the audit trail away from the server. */
@Command(name = "audit", description = "Work on audit exports without the server.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing the command: verify");
    }

    /**
     * {@code custos audit verify FILE --public-key KEY}: checks a JSONL export with nothing but the public key of the
     * Custos that wrote it (from {@code GET /api/audit/public-key}, or {@code audit-signing.key.pub} in its data
     * folder). Needs no catalog, no settings and no network.
     */
    @Command(name = "verify", sortOptions = false,
            description = {"Check an audit export (GET /api/audit/export?format=jsonl) against its hashes and signatures.",
                    "Exit 0 when every event is as Custos wrote it, 2 when something was changed, removed or added."},
            footerHeading = "%nExample:%n",
            footer = "  custos audit verify custos-audit-2024-01-15.jsonl --public-key audit-signing.key.pub")
    static final class Verify implements Callable<Integer> {

        private static final JsonMapper JSON = JsonMapper.builder().build();

        @Parameters(index = "0", paramLabel = "FILE", description = "The export (JSONL).")
        Path file;

        @Option(names = "--public-key", required = true, paramLabel = "KEY",
                description = "The public key (PEM), or the JSON of GET /api/audit/public-key.")
        Path publicKey;

        @Option(names = "--json", description = "Print the result as JSON on standard output.")
        boolean json;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        private final Cli.Invocation invocation;

        Verify(Cli.Invocation invocation) {
            this.invocation = invocation;
        }

        @Override
        public Integer call() throws IOException {
            PublicKeys.Key key = key();
            ExportVerifier.Result result;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                    StandardCharsets.UTF_8), 256 * 1024)) {
                result = ExportVerifier.verify(in, key);
            } catch (NoSuchFileException e) {
                throw new Failure("No export at " + file.toAbsolutePath());
            }
            if (json) {
                PrintWriter out = new PrintWriter(invocation.terminal().stdout(), true, StandardCharsets.UTF_8);
                out.println(JSON.writeValueAsString(result.view()));
                out.flush();
            }
            PrintWriter err = invocation.terminal().err();
            err.println((result.valid() ? "VALID" : "TAMPERED") + ": " + file);
            err.println("Events:                   " + result.events() + (result.firstSequence() == null ? ""
                    : " (sequence " + result.firstSequence() + " to " + result.lastSequence() + ")"));
            err.println("Filtered export:          " + result.filtered());
            err.println("Checkpoints verified:     " + result.checkpointsVerified() + " (key " + key.keyId() + ")");
            err.println("Covered by a signature:   " + result.eventsCoveredBySignatures());
            if (!result.valid()) {
                err.println("First bad sequence:       " + (result.firstBadSequence() == null ? "-" : result.firstBadSequence()));
                err.println("Problem:                  " + result.problem());
                return Failure.INTEGRITY;
            }
            return 0;
        }

        private PublicKeys.Key key() throws IOException {
            String text;
            try {
                text = Files.readString(publicKey, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new Failure("No public key at " + publicKey.toAbsolutePath());
            }
            if (text.trim().startsWith("{")) {
                text = JSON.readTree(text).path("public_key_pem").asString();
            }
            try {
                return PublicKeys.parsePem(text);
            } catch (IllegalArgumentException e) {
                throw new Failure("The public key " + publicKey + " is " + e.getMessage());
            }
        }
    }
}
