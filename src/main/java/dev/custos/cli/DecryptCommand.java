package dev.custos.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;

import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.custos.catalog.CustosProperties;
import dev.custos.pipeline.CompressionSpec;
import dev.custos.pipeline.IntegrityException;
import dev.custos.pipeline.Manifest;

/**
 * {@code custos decrypt}: a backup file back to the plain dump its tool wrote (a pg_dump archive, SQL text, a SQLite
 * file), checked against its manifest as it streams. A file output appears only complete and verified: it is written
 * beside its final name and renamed at the end. Standard output cannot be taken back, so there only the exit code
 * says whether what was written is good.
 */
@Command(name = "decrypt", sortOptions = false,
        description = {"Decrypt and decompress a backup file to the dump it holds, verifying its size and SHA-256.",
                "Works on unencrypted backups too (then no master key is needed)."},
        footerHeading = "%nExamples:%n",
        footer = {"  custos decrypt 20240115_020000.dump.zst.enc --output shop.dump",
                "  custos decrypt 20240115_020000.sql.zst.enc --output - | mariadb shop"})
final class DecryptCommand implements Callable<Integer> {

    private static final int BUFFER = 256 * 1024;
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    @Parameters(index = "0", paramLabel = "OBJECT", description = "The backup file (its manifest is OBJECT.manifest.json).")
    Path object;

    @Option(names = "--manifest", paramLabel = "FILE", description = "The manifest, when it is not beside the file.")
    Path manifest;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE|-",
            description = "Where to write the dump; - for standard output. Default: the file's name without its"
                    + " compression and .enc extensions, in the current folder. An existing file is never replaced.")
    String output;

    @Option(names = "--master-key-file", paramLabel = "FILE",
            description = "The master key. Default: CUSTOS_MASTER_KEY, else the data folder's master.key (./data/master.key).")
    Path masterKeyFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    private final Cli.Invocation invocation;

    DecryptCommand(Cli.Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter err = invocation.terminal().err();
        BackupFile file = BackupFile.open(object, manifest, masterKeyFile, this::settings);
        Manifest m = file.manifest();
        if ("-".equals(output)) {
            long raw;
            try {
                raw = copy(file, invocation.terminal().stdout());
            } catch (IntegrityException e) {
                throw new Failure("the backup file failed verification: " + e.getMessage()
                        + ". What was written to standard output is incomplete or wrong: discard it", Failure.INTEGRITY);
            }
            err.println("Decrypted " + file.path() + ": " + raw + " bytes to standard output; size and SHA-256 verified");
            return 0;
        }
        Path target = output != null ? Path.of(output) : Path.of(defaultName(file.path().getFileName().toString(), m));
        if (Files.exists(target)) {
            throw new Failure(target + " exists; choose another --output (it is never replaced)");
        }
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new Failure("No folder " + dir + " to write " + target.getFileName() + " into");
        }
        Path partial = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial", ownerOnly());
        try {
            long raw;
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(channel)) {
                raw = copy(file, out);
                channel.force(true);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            err.println("Decrypted " + file.path() + " to " + target + ": " + raw + " bytes; size and SHA-256 verified");
            return 0;
        } catch (IntegrityException e) {
            throw new Failure("the backup file failed verification: " + e.getMessage() + ". Nothing was written to "
                    + target, Failure.INTEGRITY);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Streams the dump, then checks what the pipeline cannot: that it decoded to the size the backup recorded. */
    private static long copy(BackupFile file, OutputStream out) throws IOException {
        long raw = 0;
        try (InputStream in = file.decoded()) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                raw += n;
            }
        }
        out.flush();
        long expected = file.manifest().rawBytes();
        if (expected >= 0 && raw != expected) {
            throw new IntegrityException("it decodes to " + raw + " bytes; its manifest says " + expected);
        }
        return raw;
    }

    /** {@code 20240115_020000.dump.zst.enc} → {@code 20240115_020000.dump}. */
    static String defaultName(String objectName, Manifest manifest) {
        String name = objectName;
        if (manifest.encryptionKeyId() != null && name.endsWith(".enc")) {
            name = name.substring(0, name.length() - ".enc".length());
        }
        String extension = CompressionSpec.Algorithm.fromValue(manifest.compression()).extension();
        if (!extension.isEmpty() && name.endsWith("." + extension)) {
            name = name.substring(0, name.length() - extension.length() - 1);
        }
        return name.equals(objectName) ? name + ".decoded" : name;
    }

    /** A dump holds a whole database: only the account that decrypted it may read it, like the backups themselves. */
    private static FileAttribute<?>[] ownerOnly() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private CustosProperties settings() {
        try (ConfigurableApplicationContext context = Contexts.settings(invocation.settings())) {
            return context.getBean(CustosProperties.class);
        }
    }
}
