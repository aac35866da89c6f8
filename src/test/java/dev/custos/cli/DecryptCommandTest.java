package dev.custos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.custos.pipeline.CompressionSpec;
import dev.custos.pipeline.Manifest;
import dev.custos.pipeline.ManifestCodec;
import dev.custos.pipeline.SealedBackups;
import dev.custos.storage.LocalStorageBackend;

/** {@code custos decrypt} on backups written by the real pipeline, in this process, with no catalog anywhere. */
class DecryptCommandTest {

    private static final String KEY = "postgresql/db-test/20240115_020000.dump.zst.enc";

    @TempDir
    Path dir;

    private SealedBackups backups;
    private LocalStorageBackend storage;
    private byte[] dump;

    @BeforeEach
    void backUp() throws IOException {
        backups = SealedBackups.withNewMasterKey(dir.resolve("data/master.key"));
        storage = new LocalStorageBackend(dir.resolve("data/backups"));
        // Compressible and larger than one encryption segment (1 MB), so several segments and frames are read.
        dump = new byte[3 * 1024 * 1024 + 17];
        Random random = new Random(42);
        for (int i = 0; i < dump.length; i++) {
            dump[i] = (byte) ("PGDMP".charAt(i % 5) + random.nextInt(3));
        }
        backups.store(storage, KEY, dump, CompressionSpec.DEFAULT, true, null);
    }

    private Path object() {
        return dir.resolve("data/backups").resolve(KEY);
    }

    private int decrypt(Terminals t, String... more) {
        String[] args = Stream.concat(Stream.of("decrypt", object().toString(), "--master-key-file",
                backups.masterKeyFile().toString()), Stream.of(more)).toArray(String[]::new);
        return t.run(args);
    }

    @Test
    void anEncryptedCompressedBackupDecodesToTheDumpItHolds() throws IOException {
        Terminals t = new Terminals();
        Path out = dir.resolve("shop.dump");

        assertThat(decrypt(t, "--output", out.toString())).as(t.err()).isZero();

        assertThat(Files.readAllBytes(out)).isEqualTo(dump);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        assertThat(t.err()).contains("size and SHA-256 verified");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void toStandardOutputTheDumpIsAllThatIsWritten() {
        Terminals t = new Terminals();

        assertThat(decrypt(t, "--output", "-")).as(t.err()).isZero();

        assertThat(t.stdout.toByteArray()).isEqualTo(dump);
    }

    @Test
    void anUnencryptedBackupNeedsNoMasterKey() throws IOException {
        String key = "sqlite/db-test/20240115_020000.sqlite.gz";
        backups.store(storage, key, dump, CompressionSpec.of(CompressionSpec.Algorithm.GZIP), false, null);
        Files.delete(backups.masterKeyFile());
        Terminals t = new Terminals();
        Path out = dir.resolve("app.db");

        int code = t.run("decrypt", dir.resolve("data/backups").resolve(key).toString(), "--output", out.toString());

        assertThat(code).as(t.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(dump);
    }

    @Test
    void aFlippedByteFailsWithExitTwoAndLeavesNoOutput() throws IOException {
        flipByte(object(), Files.size(object()) / 2);
        Terminals t = new Terminals();
        Path out = dir.resolve("shop.dump");

        assertThat(decrypt(t, "--output", out.toString())).isEqualTo(Failure.INTEGRITY);

        assertThat(out).doesNotExist();
        assertThat(leftovers()).isEmpty();
        assertThat(t.err()).contains("failed verification", "Nothing was written to " + out);
    }

    @Test
    void aTruncatedFileFailsWithExitTwo() throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(object().toFile(), "rw")) {
            file.setLength(file.length() - 100);
        }
        Terminals t = new Terminals();
        Path out = dir.resolve("shop.dump");

        assertThat(decrypt(t, "--output", out.toString())).isEqualTo(Failure.INTEGRITY);

        assertThat(out).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aManifestThatDisagreesOnTheDumpSizeFailsWithExitTwo() throws IOException {
        ManifestCodec codec = new ManifestCodec();
        Path manifestFile = Path.of(object() + Manifest.SUFFIX);
        Manifest m = codec.read(manifestFile);
        Path edited = dir.resolve("edited.manifest.json");
        Files.write(edited, codec.toJson(new Manifest(m.formatVersion(), m.objectKey(), m.backupId(), m.databaseId(),
                m.databaseName(), m.databaseAlias(), m.engineType(), m.serverVersion(), m.tool(), m.toolVersion(),
                m.fileFormat(), m.compression(), m.compressionLevel(), m.encryptionKeyId(), m.rawBytes() + 1,
                m.storedBytes(), m.sha256(), m.startedAt(), m.completedAt(), m.warnings(), m.encryptionKeyset(),
                m.fingerprint())));
        Terminals t = new Terminals();
        Path out = dir.resolve("shop.dump");

        assertThat(decrypt(t, "--output", out.toString(), "--manifest", edited.toString())).isEqualTo(Failure.INTEGRITY);

        assertThat(out).doesNotExist();
        assertThat(t.err()).contains("manifest says " + (dump.length + 1));
    }

    @Test
    void anotherMasterKeyIsNamedAsTheProblem() throws IOException {
        Path other = SealedBackups.withNewMasterKey(dir.resolve("other/master.key")).masterKeyFile();
        Terminals t = new Terminals();

        int code = t.run("decrypt", object().toString(), "--master-key-file", other.toString(), "--output",
                dir.resolve("x").toString());

        assertThat(code).isEqualTo(Failure.FAILED);
        assertThat(t.err()).contains("does not open the backup's key", "not the master key this backup was made with");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void aMissingMasterKeyFileSaysWhereItLooked() {
        Terminals t = new Terminals();

        int code = t.run("decrypt", object().toString(), "--master-key-file", dir.resolve("nowhere.key").toString());

        assertThat(code).isEqualTo(Failure.FAILED);
        assertThat(t.err()).contains("nowhere.key does not exist", "--master-key-file");
    }

    @Test
    void anExistingOutputIsNeverReplaced() throws IOException {
        Path out = dir.resolve("shop.dump");
        Files.writeString(out, "keep me");
        Terminals t = new Terminals();

        assertThat(decrypt(t, "--output", out.toString())).isEqualTo(Failure.FAILED);

        assertThat(Files.readString(out)).isEqualTo("keep me");
        assertThat(t.err()).contains("exists");
    }

    @Test
    void aMissingOutputFolderIsNamed() {
        Terminals t = new Terminals();

        assertThat(decrypt(t, "--output", dir.resolve("nowhere/shop.dump").toString())).isEqualTo(Failure.FAILED);

        assertThat(t.err()).contains("No folder " + dir.resolve("nowhere"));
    }

    @Test
    void aMissingManifestSaysHowToGiveIt() throws IOException {
        Path copy = dir.resolve("copy.dump.zst.enc");
        Files.copy(object(), copy);
        Terminals t = new Terminals();

        assertThat(t.run("decrypt", copy.toString())).isEqualTo(Failure.FAILED);

        assertThat(t.err()).contains("No manifest at " + copy + ".manifest.json", "--manifest");
    }

    @Test
    void theDefaultOutputDropsTheCompressionAndEncryptionExtensions() throws IOException {
        Manifest m = new ManifestCodec().read(Path.of(object() + Manifest.SUFFIX));

        assertThat(DecryptCommand.defaultName("20240115_020000.dump.zst.enc", m)).isEqualTo("20240115_020000.dump");
        assertThat(DecryptCommand.defaultName("renamed", m)).isEqualTo("renamed.decoded");
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x01);
        }
    }

    /** Partial outputs: decrypt's temporary files are hidden and end in .partial. */
    private java.util.List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".partial")).toList();
        }
    }
}
