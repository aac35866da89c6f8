package dev.custos.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The compression formats, each written as its command-line tool writes it, so a stored object that is not encrypted
 * opens with {@code gzip -d}, {@code lz4 -d} or {@code zstd -d}: one gzip member, one LZ4 frame with 4 MB independent
 * blocks and a content checksum, one zstd frame with a content checksum.
 */
final class Codecs {

    /** What gzip reads and writes at a time; zstd and lz4 size their own buffers (128 KB and 4 MB blocks). */
    static final int GZIP_BUFFER = 256 * 1024;

    /**
     * zstd compresses on threads of its own, so the thread that reads the dump tool's pipe never stops to compress.
     * Compressing on the reading thread instead made a backup take 1.64 times as long as {@code pg_dump | zstd -3}
     * on 2 cores: while it compressed, the 64 KB pipe filled and the dump tool waited. One worker brought that to
     * 1.03, two to 1.00, for the same CPU time; the output does not depend on the number (docs/benchmarks.md).
     */
    static final int ZSTD_WORKERS = 2;

    private Codecs() {
    }

    static OutputStream compressing(CompressionSpec spec, OutputStream out) throws IOException {
        return switch (spec.algorithm()) {
            case NONE -> out;
            case GZIP -> new LeveledGzip(out, spec.level());
            case LZ4 -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB, -1L, lz4(spec.level()),
                    XXHashFactory.fastestInstance().hash32(), LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE,
                    LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM);
            // NoFinalizer: the pipeline always closes its streams, and a finalizer would only make the GC track each one.
            case ZSTD -> new ZstdOutputStreamNoFinalizer(out).setLevel(spec.level()).setChecksum(true)
                    .setWorkers(ZSTD_WORKERS);
        };
    }

    static InputStream decompressing(CompressionSpec.Algorithm algorithm, InputStream in) throws IOException {
        return switch (algorithm) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, GZIP_BUFFER);
            case LZ4 -> new LZ4FrameInputStream(in);
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
        };
    }

    /** Levels 1 and 2 are LZ4's fast mode, as for the {@code lz4} tool; from 3 on, LZ4 HC at that level. */
    private static LZ4Compressor lz4(int level) {
        LZ4Factory factory = LZ4Factory.fastestInstance();
        return level <= 2 ? factory.fastCompressor() : factory.highCompressor(level);
    }

    /** {@link GZIPOutputStream} with a level: its deflater is only reachable from a subclass. */
    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(OutputStream out, int level) throws IOException {
            super(out, GZIP_BUFFER);
            def.setLevel(level);
        }
    }
}
