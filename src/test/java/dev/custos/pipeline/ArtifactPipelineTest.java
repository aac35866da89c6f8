package dev.custos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import dev.custos.pipeline.CompressionSpec.Algorithm;
import dev.custos.storage.FaultyStorage;
import dev.custos.storage.LocalStorageBackend;

class ArtifactPipelineTest {

    private static final long LARGE = 64L * 1024 * 1024;

    @TempDir
    Path dir;

    private final MemoryKeys keys = new MemoryKeys();
    private final ArtifactPipeline pipeline = new ArtifactPipeline(keys);

    private LocalStorageBackend storage() {
        return new LocalStorageBackend(dir);
    }

    private Path file(String key) {
        return dir.resolve(key);
    }

    static Manifest manifest(Artifact<?> artifact, CompressionSpec compression) {
        Instant now = Instant.parse("2024-01-15T12:00:00.123Z");
        return new Manifest(Manifest.FORMAT_VERSION, artifact.object().key(), "backup-1", "db-1", "shop", null,
                "postgresql", "15.4", "pg_dump", "15.4", "custom", compression.algorithm().value(), compression.level(),
                artifact.encryptionKeyId(), artifact.rawBytes(), artifact.storedBytes(), artifact.sha256(), now, now,
                List.of());
    }

    private Artifact<String> store(String key, CompressionSpec compression, boolean encrypt, long size) throws IOException {
        return pipeline.store(storage(), key, compression, encrypt, TestDumps.of(size, size + 7), null);
    }

    static Stream<Arguments> everyCompressionPlainAndEncrypted() {
        List<Arguments> cases = new ArrayList<>();
        for (Algorithm algorithm : Algorithm.values()) {
            for (boolean encrypt : new boolean[] {false, true}) {
                for (long size : new long[] {0, 1, LARGE}) {
                    cases.add(Arguments.of(CompressionSpec.of(algorithm), encrypt, size));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} encrypted={1} {2} bytes")
    @MethodSource("everyCompressionPlainAndEncrypted")
    void whatIsStoredReadsBackByteForByte(CompressionSpec compression, boolean encrypt, long size) throws IOException {
        String key = "postgresql/db-1/20240115_120000.dump" + (compression.algorithm() == Algorithm.NONE ? ""
                : "." + compression.algorithm().extension());

        Artifact<String> artifact = store(key, compression, encrypt, size);

        assertThat(artifact.rawBytes()).isEqualTo(size);
        assertThat(artifact.storedBytes()).isEqualTo(Files.size(file(key))).isEqualTo(artifact.object().size());
        assertThat(artifact.sha256()).isEqualTo(TestDumps.sha256(Files.newInputStream(file(key))));
        assertThat(artifact.encryptionKeyId()).isEqualTo(encrypt ? keys.activeKeyId() : null);
        try (InputStream in = pipeline.open(storage(), manifest(artifact, compression))) {
            assertThat(TestDumps.sha256(in)).as("the bytes read back are the dump's").isEqualTo(artifact.dump());
        }
        assertThat(pipeline.verify(storage(), manifest(artifact, compression)))
                .isEqualTo(new Verification(true, "verified", artifact.storedBytes(), artifact.sha256(), size, true));
    }

    @Test
    void compressionAndEncryptionDoWhatTheySay() throws IOException {
        Artifact<String> plain = store("none", CompressionSpec.NONE, false, LARGE / 8);
        Artifact<String> zstd = store("zstd", CompressionSpec.DEFAULT, false, LARGE / 8);
        Artifact<String> encrypted = store("zstd-enc", CompressionSpec.DEFAULT, true, LARGE / 8);

        assertThat(plain.storedBytes()).isEqualTo(LARGE / 8);
        assertThat(zstd.storedBytes()).isLessThan(LARGE / 8 / 2);
        // Tink adds a header and a 16-byte tag per 1 MB segment, nothing more.
        assertThat(encrypted.storedBytes()).isBetween(zstd.storedBytes(), zstd.storedBytes() + 1024);
        assertThat(new String(Files.readAllBytes(file("zstd-enc")), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("customer-");
    }

    // integrity

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aFlippedByteFailsOpenAndVerify(Algorithm algorithm) throws IOException {
        assertFlippedByteIsCaught(algorithm, false);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aFlippedByteOfAnEncryptedObjectFailsOpenAndVerify(Algorithm algorithm) throws IOException {
        assertFlippedByteIsCaught(algorithm, true);
    }

    private void assertFlippedByteIsCaught(Algorithm algorithm, boolean encrypt) throws IOException {
        CompressionSpec compression = CompressionSpec.of(algorithm);
        Artifact<String> artifact = store("obj", compression, encrypt, 3 * 1024 * 1024);
        flip(file("obj"), artifact.storedBytes() / 2);

        assertThatThrownBy(() -> readAll(manifest(artifact, compression))).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("'obj'");
        Verification v = pipeline.verify(storage(), manifest(artifact, compression));
        assertThat(v.ok()).isFalse();
        assertThat(v.decryptable()).isEqualTo(!encrypt);
    }

    @Test
    void aFlippedByteIsCaughtByTheHashWhenNothingElseCould() throws IOException {
        Artifact<String> artifact = store("raw", CompressionSpec.NONE, false, 100_000);
        flip(file("raw"), 5000);

        assertThatThrownBy(() -> readAll(manifest(artifact, CompressionSpec.NONE))).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("SHA-256").hasMessageContaining(artifact.sha256());
        Verification v = pipeline.verify(storage(), manifest(artifact, CompressionSpec.NONE));
        assertThat(v.ok()).isFalse();
        assertThat(v.sha256()).isNotEqualTo(artifact.sha256()).hasSize(64);
        assertThat(v.storedBytes()).isEqualTo(100_000);
    }

    @Test
    void anAlteredEncryptedObjectFailsEvenWhenItsRecordedHashIsForgedToo() throws IOException {
        Artifact<String> artifact = store("enc", CompressionSpec.DEFAULT, true, 2 * 1024 * 1024);
        flip(file("enc"), artifact.storedBytes() - 100);
        String forged = TestDumps.sha256(Files.newInputStream(file("enc")));

        assertThatThrownBy(() -> readAll(pipeline.open(storage(), "enc", artifact.storedBytes(), forged, Algorithm.ZSTD,
                artifact.encryptionKeyId()))).isInstanceOf(IntegrityException.class).hasMessageContaining("cannot be decrypted");
    }

    @ParameterizedTest(name = "{0} encrypted={1}")
    @MethodSource("algorithmsPlainAndEncrypted")
    void aTruncatedObjectFailsOpenAndVerify(Algorithm algorithm, boolean encrypt) throws IOException {
        CompressionSpec compression = CompressionSpec.of(algorithm);
        Artifact<String> artifact = store("cut", compression, encrypt, 3 * 1024 * 1024);
        try (RandomAccessFile f = new RandomAccessFile(file("cut").toFile(), "rw")) {
            f.setLength(artifact.storedBytes() * 2 / 3);
        }

        assertThatThrownBy(() -> readAll(manifest(artifact, compression))).isInstanceOf(IntegrityException.class);
        assertThat(pipeline.verify(storage(), manifest(artifact, compression)).ok()).isFalse();
    }

    @Test
    void anEncryptedObjectCutAtASegmentBoundaryIsCaughtWithoutTheHash() throws IOException {
        Artifact<String> artifact = store("seg", CompressionSpec.NONE, true, 5L * 1024 * 1024);
        long cut = artifact.storedBytes() - (artifact.storedBytes() - 1) % (1024 * 1024) - 1; // drop the last segment
        try (RandomAccessFile f = new RandomAccessFile(file("seg").toFile(), "rw")) {
            f.setLength(cut);
        }
        String forged = TestDumps.sha256(Files.newInputStream(file("seg")));

        assertThatThrownBy(() -> readAll(pipeline.open(storage(), "seg", cut, forged, Algorithm.NONE,
                artifact.encryptionKeyId()))).isInstanceOf(IntegrityException.class);
    }

    static Stream<Arguments> algorithmsPlainAndEncrypted() {
        return Stream.of(Algorithm.values()).flatMap(a -> Stream.of(Arguments.of(a, false), Arguments.of(a, true)));
    }

    @Test
    void trailingBytesAreCaught() throws IOException {
        Artifact<String> artifact = store("long", CompressionSpec.DEFAULT, false, 10_000);
        Files.write(file("long"), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);

        assertThatThrownBy(() -> readAll(manifest(artifact, CompressionSpec.DEFAULT)))
                .isInstanceOf(IntegrityException.class).hasMessageContaining("longer than");
    }

    @Test
    void aWrongKeyFailsWithAClearError() throws IOException {
        Artifact<String> artifact = store("k", CompressionSpec.DEFAULT, true, 100_000);
        String other = keys.rotate();
        Manifest wrong = withKey(manifest(artifact, CompressionSpec.DEFAULT), other);

        assertThatThrownBy(() -> readAll(wrong)).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("cannot be decrypted with key '" + other + "'")
                .satisfies(e -> assertThat(((IntegrityException) e).decryptionFailed()).isTrue());
        Verification v = pipeline.verify(storage(), wrong);
        assertThat(v.ok()).isFalse();
        assertThat(v.decryptable()).isFalse();
    }

    @Test
    void aKeyTheRingDoesNotHaveFailsWithAClearError() throws IOException {
        Artifact<String> artifact = store("k", CompressionSpec.DEFAULT, true, 1000);
        Manifest unknown = withKey(manifest(artifact, CompressionSpec.DEFAULT), "key-gone");

        assertThatThrownBy(() -> pipeline.open(storage(), unknown)).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("encrypted with key 'key-gone', which this catalog does not have");
        assertThat(pipeline.verify(storage(), unknown).decryptable()).isFalse();
    }

    @Test
    void anOldKeyStillReadsItsObjectsAfterRotation() throws IOException {
        Artifact<String> before = store("before", CompressionSpec.DEFAULT, true, 200_000);
        keys.rotate();
        Artifact<String> after = store("after", CompressionSpec.DEFAULT, true, 200_000);

        assertThat(after.encryptionKeyId()).isNotEqualTo(before.encryptionKeyId());
        assertThat(pipeline.verify(storage(), manifest(before, CompressionSpec.DEFAULT)).ok()).isTrue();
        assertThat(pipeline.verify(storage(), manifest(after, CompressionSpec.DEFAULT)).ok()).isTrue();
    }

    @Test
    void aStorageReadErrorIsTheStoragesNotTheObjects() throws IOException {
        Artifact<String> artifact = store("k", CompressionSpec.DEFAULT, true, 3 * 1024 * 1024);
        FaultyStorage faulty = new FaultyStorage(storage()).failReadsAfter(500_000);

        assertThatThrownBy(() -> readAll(pipeline.open(faulty, manifest(artifact, CompressionSpec.DEFAULT))))
                .isInstanceOf(IOException.class).isNotInstanceOf(IntegrityException.class)
                .hasMessage("Input/output error");
        assertThatThrownBy(() -> pipeline.verify(faulty, manifest(artifact, CompressionSpec.DEFAULT)))
                .isNotInstanceOf(IntegrityException.class).hasMessage("Input/output error");
    }

    @Test
    void aMissingObjectFailsVerification() throws IOException {
        Artifact<String> artifact = store("k", CompressionSpec.DEFAULT, false, 10);
        storage().delete("k");

        Verification v = pipeline.verify(storage(), manifest(artifact, CompressionSpec.DEFAULT));

        assertThat(v.ok()).isFalse();
        assertThat(v.message()).contains("missing");
    }

    @Test
    void verifyComparesTheDecodedSizeWithTheManifest() throws IOException {
        Artifact<String> artifact = store("k", CompressionSpec.DEFAULT, false, 1000);
        Manifest m = manifest(artifact, CompressionSpec.DEFAULT);
        Manifest lying = new Manifest(m.formatVersion(), m.objectKey(), m.backupId(), m.databaseId(), m.databaseName(),
                m.databaseAlias(), m.engineType(), m.serverVersion(), m.tool(), m.toolVersion(), m.fileFormat(),
                m.compression(), m.compressionLevel(), m.encryptionKeyId(), 999, m.storedBytes(), m.sha256(),
                m.startedAt(), m.completedAt(), m.warnings());

        assertThat(pipeline.verify(storage(), lying).message()).contains("decodes to 1000 bytes; its manifest says 999");
    }

    // failures while storing

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aDumpThatFailsLeavesNoObject(Algorithm algorithm) throws IOException {
        IOException failure = new IOException("pg_dump: error: connection to server lost");

        assertThatThrownBy(() -> pipeline.store(storage(), "postgresql/db-1/x.dump", CompressionSpec.of(algorithm), true,
                out -> {
                    TestDumps.write(out, 5 * 1024 * 1024, 1);
                    throw failure;
                }, null)).isSameAs(failure);

        assertThat(storage().list("", 10)).isEmpty();
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void aDiskThatFillsUpLeavesNoObject() throws IOException {
        FaultyStorage full = new FaultyStorage(storage()).failWritesAfter(1024 * 1024);

        assertThatThrownBy(() -> pipeline.store(full, "x", CompressionSpec.NONE, true, TestDumps.of(LARGE / 8, 1), null))
                .hasMessage("No space left on device");

        assertThat(storage().list("", 10)).isEmpty();
    }

    @Test
    void anExistingKeyIsRefusedBeforeTheDumpStarts() throws IOException {
        store("taken", CompressionSpec.DEFAULT, false, 10);
        boolean[] started = {false};

        assertThatThrownBy(() -> pipeline.store(storage(), "taken", CompressionSpec.DEFAULT, false, out -> started[0] = true,
                null)).isInstanceOf(dev.custos.storage.ObjectExistsException.class);
        assertThat(started[0]).isFalse();
    }

    // the dump's side

    @Test
    void progressIsTheRunningRawTotalThrottledAndFinal() throws IOException {
        List<Long> reports = new ArrayList<>();
        int[] writes = {0};

        Artifact<String> artifact = pipeline.store(storage(), "p", CompressionSpec.DEFAULT, false, out -> {
            OutputStream counting = new java.io.FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    writes[0]++;
                    out.write(b, off, len);
                }
            };
            return TestDumps.write(counting, LARGE / 4, 3);
        }, reports::add);

        assertThat(reports).isSorted().last().isEqualTo(artifact.rawBytes());
        assertThat(reports.size()).isLessThan(writes[0] / 10);
    }

    @Test
    void theDumpToolsFlushesDoNotEndCompressionBlocks() throws IOException {
        DumpWriter<Void> flushing = out -> {
            byte[] line = "INSERT INTO t VALUES (1, 'the same row again');\n".getBytes();
            for (int i = 0; i < 20_000; i++) {
                out.write(line);
                out.flush();
            }
            return null;
        };
        DumpWriter<Void> quiet = out -> {
            byte[] line = "INSERT INTO t VALUES (1, 'the same row again');\n".getBytes();
            for (int i = 0; i < 20_000; i++) {
                out.write(line);
            }
            return null;
        };
        for (Algorithm algorithm : Algorithm.values()) {
            long a = pipeline.store(storage(), "flushing-" + algorithm, CompressionSpec.of(algorithm), false, flushing, null)
                    .storedBytes();
            long b = pipeline.store(storage(), "quiet-" + algorithm, CompressionSpec.of(algorithm), false, quiet, null)
                    .storedBytes();
            assertThat(a).as(algorithm.value()).isEqualTo(b);
        }
    }

    @Test
    void aDumpWriterThatClosesItsStreamStillMakesAWholeObject() throws IOException {
        Artifact<String> artifact = pipeline.store(storage(), "closed", CompressionSpec.DEFAULT, true, out -> {
            String sha = TestDumps.write(out, 100_000, 4);
            out.close();
            return sha;
        }, null);

        try (InputStream in = pipeline.open(storage(), manifest(artifact, CompressionSpec.DEFAULT))) {
            assertThat(TestDumps.sha256(in)).isEqualTo(artifact.dump());
        }
    }

    @Test
    void everyLevelOfEveryAlgorithmRoundTrips() throws IOException {
        for (Algorithm algorithm : Algorithm.values()) {
            if (algorithm == Algorithm.NONE) {
                continue;
            }
            for (int level = algorithm.minLevel(); level <= algorithm.maxLevel(); level++) {
                CompressionSpec spec = new CompressionSpec(algorithm, level);
                Artifact<String> artifact = pipeline.store(storage(), algorithm.value() + "-" + level, spec, false,
                        TestDumps.of(300_000, level), null);
                assertThat(pipeline.verify(storage(), manifest(artifact, spec)).ok()).as(spec.toString()).isTrue();
            }
        }
    }

    private void readAll(Manifest manifest) throws IOException {
        readAll(pipeline.open(storage(), manifest));
    }

    private static void readAll(InputStream in) throws IOException {
        try (in) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static void flip(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x40);
        }
    }

    private static Manifest withKey(Manifest m, String keyId) {
        return new Manifest(m.formatVersion(), m.objectKey(), m.backupId(), m.databaseId(), m.databaseName(),
                m.databaseAlias(), m.engineType(), m.serverVersion(), m.tool(), m.toolVersion(), m.fileFormat(),
                m.compression(), m.compressionLevel(), keyId, m.rawBytes(), m.storedBytes(), m.sha256(), m.startedAt(),
                m.completedAt(), m.warnings());
    }
}
