package dev.custos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.custos.pipeline.CompressionSpec.Algorithm;
import dev.custos.storage.LocalStorageBackend;

/**
 * An object that is not encrypted is an ordinary .gz, .lz4 or .zst file: the real command-line tools decompress it
 * (so a user can restore by hand with nothing but Debian's packages), at the lowest, default and highest levels.
 */
class CompressionToolsIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -{1} | {2}")
    @CsvSource({
            "gzip, 1, gzip -d -c", "gzip, 6, gzip -d -c", "gzip, 9, gzip -t",
            "lz4, 1, lz4 -d -c", "lz4, 9, lz4 -d -c", "lz4, 17, lz4 -t",
            "zstd, 1, zstd -d -c", "zstd, 3, zstd -d -c", "zstd, 19, zstd -t"})
    void theToolDecompressesWhatThePipelineStored(String algorithm, int level, String command) throws Exception {
        LocalStorageBackend storage = new LocalStorageBackend(dir.resolve("store"));
        CompressionSpec spec = new CompressionSpec(Algorithm.fromValue(algorithm), level);
        String key = "postgresql/db-1/20240115_120000.dump." + spec.algorithm().extension();
        Artifact<String> artifact = new ArtifactPipeline(new MemoryKeys()).store(storage, key, spec, false,
                TestDumps.of(9L * 1024 * 1024 + 3, level), null);
        Path out = dir.resolve("out");

        Process p = new ProcessBuilder("sh", "-c", command + " < \"$0\"", storage.root().resolve(key).toString())
                .redirectOutput(out.toFile()).redirectError(dir.resolve("stderr").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(dir.resolve("stderr"));

        assertThat(p.exitValue()).as(stderr).isZero();
        if (!command.endsWith(" -t")) {
            assertThat(TestDumps.sha256(Files.newInputStream(out))).isEqualTo(artifact.dump());
        }
    }
}
