import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

import com.github.luben.zstd.ZstdOutputStream;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;

import dev.custos.pipeline.Artifact;
import dev.custos.pipeline.ArtifactPipeline;
import dev.custos.pipeline.CompressionSpec;
import dev.custos.pipeline.KeyRing;
import dev.custos.storage.LocalStorageBackend;

/**
 * Throughput of the backup pipeline (bench/pipeline/run.sh runs it; see docs/benchmarks.md).
 *
 *   generate FILE|- BYTES      realistic-entropy dump text (compresses about 3x with zstd -3); "-" is stdout, for a
 *                              producer that needs a core of its own, as pg_dump does
 *   pipeline DIR CHUNK CONFIG COMMAND...
 *                              runs COMMAND as a child process, as a connector runs a dump tool, and stores its stdout
 *                              with ArtifactPipeline.store() in local storage under DIR, reading CHUNK bytes at a time;
 *                              CONFIG is none, gzip-6, lz4-1, zstd-3, zstd-3+enc ... Times from the launch to the
 *                              stored object, in a JVM started for it: the JIT is cold, as for the first backup after
 *                              Custos starts, but the pipeline was created 2 s before, as Custos creates it when it
 *                              starts (its AES-GCM warm-up runs in the background then); JVM start-up is not counted.
 *   zstdjni FILE CHUNK         zstd-jni alone, no storage: ZstdOutputStream vs NoFinalizer, workers 0/1/2
 */
public class PipelineThroughput {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "generate" -> generate(args[1], Long.parseLong(args[2]));
            case "pipeline" -> pipeline(Path.of(args[1]), Integer.parseInt(args[2]), args[3],
                    List.of(args).subList(4, args.length));
            case "zstdjni" -> zstdjni(Path.of(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    // data

    private static final String[] WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima "
            + "mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu invoice order "
            + "customer payment shipped pending refunded cancelled premium basic enterprise berlin paris london tokyo "
            + "madrid rome vienna oslo lisbon dublin warsaw prague").split(" ");

    /**
     * Rows as pg_dump's COPY text writes them: a serial id, a uuid-like hex key, names and words, an email, amounts,
     * timestamps, a status and a small jsonb document. Random where real data is random (keys, amounts, times),
     * repetitive where it repeats (vocabulary, JSON keys, statuses), so zstd -3 gets about 3x, as on production dumps.
     */
    static void generate(String file, long bytes) throws IOException {
        SplittableRandom r = new SplittableRandom(42);
        StringBuilder row = new StringBuilder(512);
        long ts = 1_700_000_000_000L;
        OutputStream sink = file.equals("-") ? new FileOutputStream(FileDescriptor.out) : Files.newOutputStream(Path.of(file));
        try (OutputStream out = new BufferedOutputStream(sink, 1 << 20)) {
            long written = 0;
            for (long id = 1; written < bytes; id++) {
                row.setLength(0);
                ts += r.nextInt(5000);
                row.append(id).append('\t');
                hex(row, r, 32);
                row.append('\t').append(word(r)).append(' ').append(word(r)).append('\t')
                        .append(word(r)).append('.').append(r.nextInt(100000)).append("@example.")
                        .append(r.nextBoolean() ? "com" : "org").append('\t')
                        .append(r.nextInt(1_000_000) / 100.0).append('\t')
                        .append(java.time.Instant.ofEpochMilli(ts)).append('\t')
                        .append(r.nextInt(10) < 7 ? "active" : "suspended").append('\t')
                        .append("{\"plan\": \"").append(word(r)).append("\", \"seats\": ").append(r.nextInt(500))
                        .append(", \"tags\": [\"").append(word(r)).append("\", \"").append(word(r)).append("\"], \"note\": \"");
                int words = r.nextInt(12);
                for (int i = 0; i < words; i++) {
                    row.append(i == 0 ? "" : " ").append(word(r));
                }
                row.append("\", \"score\": ").append(r.nextDouble()).append("}\n");
                byte[] b = row.toString().getBytes(StandardCharsets.US_ASCII);
                out.write(b);
                written += b.length;
            }
        }
    }

    private static String word(SplittableRandom r) {
        return WORDS[r.nextInt(WORDS.length)];
    }

    private static void hex(StringBuilder sb, SplittableRandom r, int digits) {
        for (int i = 0; i < digits; i++) {
            sb.append(Character.forDigit(r.nextInt(16), 16));
        }
    }

    // the pipeline

    static void pipeline(Path dir, int chunk, String config, List<String> command) throws Exception {
        StreamingAeadConfig.register();
        StreamingAead aead = KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB)
                .getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
        KeyRing keys = new KeyRing() {
            @Override
            public String activeKeyId() {
                return "key-bench";
            }

            @Override
            public Optional<StreamingAead> streamingAead(String keyId) {
                return Optional.of(aead);
            }
        };
        ArtifactPipeline pipeline = new ArtifactPipeline(keys);
        LocalStorageBackend storage = new LocalStorageBackend(dir);
        // Custos creates its pipeline as it starts, and the first backup comes later: give the pipeline's background
        // AES-GCM warm-up the two seconds of a Spring start-up. Nothing else is warmed: the JIT is cold otherwise.
        Thread.sleep(2000);
        boolean encrypt = config.endsWith("+enc");
        String[] spec = config.replace("+enc", "").split("-");
        CompressionSpec compression = spec[0].equals("none") ? CompressionSpec.NONE
                : new CompressionSpec(CompressionSpec.Algorithm.fromValue(spec[0]), Integer.parseInt(spec[1]));
        String key = "bench/" + config + "-" + System.nanoTime();

        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        Process dump = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Artifact<Long> a = pipeline.store(storage, key, compression, encrypt, out -> copy(dump.getInputStream(), chunk, out), null);
        if (dump.waitFor() != 0) {
            throw new IllegalStateException("the dump command failed: " + command);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - cpu0) / 1e9;
        storage.delete(key);
        System.out.printf(Locale.ROOT, "custos %-12s chunk=%-7d wall=%7.2fs  %7.1f MB/s  jvm-cpu=%6.2fs  stored=%d%n",
                config, chunk, wall, a.rawBytes() / 1e6 / wall, cpu, a.storedBytes());
    }

    /** Reads a dump tool's output the way a connector does: one heap buffer of {@code chunk} bytes, reused. */
    private static long copy(InputStream in, int chunk, OutputStream out) throws IOException {
        byte[] buffer = new byte[chunk];
        long total = 0;
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                total += n;
            }
        }
        return total;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    // zstd-jni alone

    interface Compressor {
        OutputStream open(OutputStream sink) throws IOException;
    }

    static void zstdjni(Path file, int chunk) throws Exception {
        long size = Files.size(file);
        List<Object[]> variants = new ArrayList<>();
        variants.add(new Object[] {"ZstdOutputStreamNoFinalizer", (Compressor) s -> new ZstdOutputStreamNoFinalizer(s).setLevel(3).setChecksum(true)});
        variants.add(new Object[] {"ZstdOutputStream", (Compressor) s -> new ZstdOutputStream(s).setLevel(3).setChecksum(true)});
        variants.add(new Object[] {"NoFinalizer workers=1", (Compressor) s -> new ZstdOutputStreamNoFinalizer(s).setLevel(3).setChecksum(true).setWorkers(1)});
        variants.add(new Object[] {"NoFinalizer workers=2", (Compressor) s -> new ZstdOutputStreamNoFinalizer(s).setLevel(3).setChecksum(true).setWorkers(2)});
        for (Object[] v : variants) {
            compressOnly(file, Math.min(size, 64L << 20), chunk, (Compressor) v[1]);
        }
        for (Object[] v : variants) {
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            long out = compressOnly(file, size, chunk, (Compressor) v[1]);
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "zstd-jni %-28s chunk=%-7d wall=%7.2fs  %7.1f MB/s  cpu=%6.2fs  out=%d%n",
                    v[0], chunk, wall, size / 1e6 / wall, (cpuNanos() - cpu0) / 1e9, out);
        }
    }

    private static long compressOnly(Path file, long limit, int chunk, Compressor compressor) throws IOException {
        long[] count = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        try (OutputStream z = compressor.open(sink); InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[chunk];
            long total = 0;
            for (int n; total < limit && (n = in.read(buffer, 0, (int) Math.min(chunk, limit - total))) >= 0; ) {
                z.write(buffer, 0, n);
                total += n;
            }
        }
        return count[0];
    }
}
