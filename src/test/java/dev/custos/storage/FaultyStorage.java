package dev.custos.storage;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A real backend with faults armed on demand, the way restic tests its checker with an error backend: a disk that
 * fills up after N bytes, reads that break after N bytes, slow writes, and a write held at a gate until a test lets
 * it go. With nothing armed it is the backend it wraps ({@code FaultyStorageTest} runs the contract through it).
 * Faults apply to every call until {@link #heal()}.
 */
public final class FaultyStorage implements StorageBackend {

    private final StorageBackend underlying;

    private volatile long failWritesAfter = -1;
    private volatile long failReadsAfter = -1;
    private volatile long writeDelayNanos;
    private volatile boolean failDeletes;
    private volatile Gate gate;
    private final AtomicLong bytesWritten = new AtomicLong();

    public FaultyStorage(StorageBackend underlying) {
        this.underlying = underlying;
    }

    /** Every write fails like a full disk once it has written {@code bytes} bytes (0: on its first byte). */
    public FaultyStorage failWritesAfter(long bytes) {
        this.failWritesAfter = bytes;
        return this;
    }

    /** Every read fails like a bad disk after {@code bytes} bytes of the object. */
    public FaultyStorage failReadsAfter(long bytes) {
        this.failReadsAfter = bytes;
        return this;
    }

    /** Every delete fails like a store that refuses it (a read-only mount, a WORM bucket). */
    public FaultyStorage failDeletes() {
        this.failDeletes = true;
        return this;
    }

    /** Every write call of a writer waits {@code delay} first: a slow network mount. */
    public FaultyStorage slowWrites(Duration delay) {
        this.writeDelayNanos = delay.toNanos();
        return this;
    }

    /** The next write stops after {@code bytes} bytes until the returned gate is opened. */
    public Gate holdWritesAfter(long bytes) {
        Gate g = new Gate(bytes);
        this.gate = g;
        return g;
    }

    public FaultyStorage heal() {
        failWritesAfter = -1;
        failReadsAfter = -1;
        writeDelayNanos = 0;
        failDeletes = false;
        Gate g = gate;
        gate = null;
        if (g != null) {
            g.open();
        }
        return this;
    }

    /** Bytes the writers have handed to this store, whatever became of them. */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    public StorageBackend underlying() {
        return underlying;
    }

    /** A held write: {@link #awaitHeld} until a writer is stopped at it, {@link #open} to let it go on. */
    public static final class Gate {

        private final long after;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch opened = new CountDownLatch(1);

        private Gate(long after) {
            this.after = after;
        }

        public boolean awaitHeld(Duration timeout) throws InterruptedException {
            return held.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public void open() {
            opened.countDown();
        }

        private void pass() throws IOException {
            held.countDown();
            try {
                if (!opened.await(5, TimeUnit.MINUTES)) {
                    throw new IOException("a test held a write and never let it go");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while held at a storage gate");
            }
        }
    }

    @Override
    public StoredObject write(String key, ContentWriter writer) throws IOException {
        long failAfter = failWritesAfter;
        long delay = writeDelayNanos;
        Gate g = gate;
        if (g != null) {
            gate = null;
        }
        if (failAfter < 0 && delay == 0 && g == null) {
            return underlying.write(key, out -> writer.writeTo(new Counting(out, -1, 0, null)));
        }
        return underlying.write(key, out -> writer.writeTo(new Counting(out, failAfter, delay, g)));
    }

    @Override
    public InputStream read(String key) throws IOException {
        return failing(underlying.read(key));
    }

    @Override
    public InputStream read(String key, long offset, long length) throws IOException {
        return failing(underlying.read(key, offset, length));
    }

    @Override
    public List<StoredObject> list(String prefix, int limit) throws IOException {
        return underlying.list(prefix, limit);
    }

    @Override
    public Optional<StoredObject> stat(String key) throws IOException {
        return underlying.stat(key);
    }

    @Override
    public boolean delete(String key) throws IOException {
        if (failDeletes) {
            throw new IOException("Read-only file system");
        }
        return underlying.delete(key);
    }

    @Override
    public int abortIncomplete(String key) throws IOException {
        return underlying.abortIncomplete(key);
    }

    @Override
    public Capabilities capabilities() {
        return underlying.capabilities();
    }

    private InputStream failing(InputStream in) {
        long failAfter = failReadsAfter;
        if (failAfter < 0) {
            return in;
        }
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (read >= failAfter) {
                    throw new IOException("Input/output error");
                }
                int n = super.read(b, off, (int) Math.min(len, failAfter - read));
                if (n > 0) {
                    read += n;
                }
                return n;
            }
        };
    }

    private final class Counting extends FilterOutputStream {

        private final long failAfter;
        private final long delayNanos;
        private Gate gate;
        private long written;

        Counting(OutputStream out, long failAfter, long delayNanos, Gate gate) {
            super(out);
            this.failAfter = failAfter;
            this.delayNanos = delayNanos;
            this.gate = gate;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (delayNanos > 0) {
                LockSupport.parkNanos(delayNanos);
            }
            if (gate != null && written + len > gate.after) {
                int before = (int) Math.max(0, gate.after - written);
                pass(b, off, before);
                Gate g = gate;
                gate = null;
                g.pass();
                off += before;
                len -= before;
            }
            if (failAfter >= 0 && written + len > failAfter) {
                int room = (int) Math.max(0, failAfter - written);
                pass(b, off, room);
                throw new IOException("No space left on device");
            }
            pass(b, off, len);
        }

        private void pass(byte[] b, int off, int len) throws IOException {
            if (len > 0) {
                out.write(b, off, len);
                written += len;
                bytesWritten.addAndGet(len);
            }
        }
    }
}
