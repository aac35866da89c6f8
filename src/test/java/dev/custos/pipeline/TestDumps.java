package dev.custos.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * Dumps made up on the fly, the same for a seed: stretches of random bytes between repetitive text rows, so every
 * compressor has both incompressible and compressible input. Written in 64 KiB pieces, as a pipe from a dump tool
 * delivers them. Nothing is kept: a test compares SHA-256 digests, not copies.
 */
final class TestDumps {

    static final int PIECE = 64 * 1024;

    private TestDumps() {
    }

    /** A dump writer of {@code size} bytes that returns the SHA-256 of what it wrote. */
    static DumpWriter<String> of(long size, long seed) {
        return out -> write(out, size, seed);
    }

    static String write(OutputStream out, long size, long seed) throws IOException {
        Random random = new Random(seed);
        MessageDigest digest = sha256();
        byte[] piece = new byte[PIECE];
        long row = 0;
        for (long written = 0; written < size; ) {
            int n = (int) Math.min(PIECE, size - written);
            if (random.nextInt(4) == 0) {
                random.nextBytes(piece);
            } else {
                int pos = 0;
                while (pos < n) {
                    byte[] line = ("row " + row++ + ",customer-" + random.nextInt(1000) + ",2024-01-15T12:00:00Z,"
                            + (random.nextBoolean() ? "active" : "suspended") + ",{\"plan\":\"pro\"}\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    int len = Math.min(line.length, n - pos);
                    System.arraycopy(line, 0, piece, pos, len);
                    pos += len;
                }
            }
            out.write(piece, 0, n);
            digest.update(piece, 0, n);
            written += n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(java.io.InputStream in) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[256 * 1024];
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
