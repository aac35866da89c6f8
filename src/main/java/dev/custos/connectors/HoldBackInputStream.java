package dev.custos.connectors;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Passes a stream through, but always keeps its last {@code holdBack} bytes back until the source has ended. A
 * restore tool reading from it (pg_restore, psql with one transaction) cannot reach the end of the dump, and so
 * cannot commit, before the source's {@code read} has returned -1, which for a stored backup happens only once its
 * size and SHA-256 have been checked. If the source throws instead, the tool never sees the end, the restore is
 * killed and its transaction rolled back. The held-back bytes must outnumber what a tool could still need after
 * its last meaningful byte; a dump ends with its last data, so any positive amount does, and a generous one costs
 * only that much memory.
 */
public final class HoldBackInputStream extends InputStream {

    /** What restores hold back: far more than any trailer a dump format has. */
    public static final int DEFAULT_HOLD_BACK = 64 * 1024;

    private final InputStream source;
    private final byte[] ring;
    /** Index of the oldest buffered byte. */
    private int head;
    /** Bytes buffered. */
    private int size;
    private boolean sourceEnded;

    public HoldBackInputStream(InputStream source, int holdBack) {
        this.source = Objects.requireNonNull(source, "source");
        if (holdBack < 1) {
            throw new IllegalArgumentException("holdBack must be positive, was " + holdBack);
        }
        // Twice the hold-back: reads refill half the ring while the other half is held.
        this.ring = new byte[holdBack * 2];
    }

    public HoldBackInputStream(InputStream source) {
        this(source, DEFAULT_HOLD_BACK);
    }

    private int holdBack() {
        return ring.length / 2;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (releasable() == 0) {
            if (sourceEnded) {
                return -1;
            }
            fill();
        }
        int n = Math.min(len, releasable());
        int first = Math.min(n, ring.length - head);
        System.arraycopy(ring, head, b, off, first);
        System.arraycopy(ring, 0, b, off + first, n - first);
        head = (head + n) % ring.length;
        size -= n;
        return n;
    }

    /** Bytes that may leave: everything once the source ended, else all but the last {@code holdBack}. */
    private int releasable() {
        return sourceEnded ? size : Math.max(0, size - holdBack());
    }

    private void fill() throws IOException {
        int tail = (head + size) % ring.length;
        int space = Math.min(ring.length - size, ring.length - tail);
        int n = source.read(ring, tail, space);
        if (n < 0) {
            sourceEnded = true;
        } else {
            size += n;
        }
    }

    @Override
    public int available() {
        return releasable();
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
