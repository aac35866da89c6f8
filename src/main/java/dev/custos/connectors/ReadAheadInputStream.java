package dev.custos.connectors;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream ahead on a thread of its own, into a few fixed buffers, so that whoever produces the bytes (read
 * from storage, hash, decrypt, decompress) keeps working while whoever consumes them is busy, and the other way
 * round. A restore tool fed through a 64 KiB pipe otherwise waits for each next chunk to be decompressed, and the
 * decompressor waits for the pipe: the two take turns instead of running side by side.
 *
 * <p>Memory is bounded by {@code buffers × bufferSize}. A failure of the source reaches the consumer at the point
 * in the stream where it happened, after the bytes read before it, exactly as without read-ahead. Closing stops
 * the reader thread; the source stays the caller's to close.
 */
public final class ReadAheadInputStream extends InputStream {

    /** A filled buffer, the end of the source, or its failure. */
    private record Chunk(byte[] buffer, int length, IOException failure) {
        static final Chunk END = new Chunk(null, -1, null);
    }

    private final InputStream source;
    private final BlockingQueue<byte[]> free;
    private final BlockingQueue<Chunk> filled;
    private final Thread reader;

    /** How long {@link #close} waits for the reader to leave the source. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private Chunk current;
    private int position;
    private boolean ended;
    private IOException failure;
    private volatile boolean closed;

    public ReadAheadInputStream(InputStream source, int bufferSize, int buffers, String name) {
        this.source = Objects.requireNonNull(source, "source");
        if (bufferSize < 1 || buffers < 1) {
            throw new IllegalArgumentException("bufferSize and buffers must be positive");
        }
        this.free = new ArrayBlockingQueue<>(buffers);
        this.filled = new ArrayBlockingQueue<>(buffers + 1);
        for (int i = 0; i < buffers; i++) {
            free.add(new byte[bufferSize]);
        }
        this.reader = new Thread(this::readAhead, name);
        reader.setDaemon(true);
        reader.start();
    }

    private void readAhead() {
        try {
            while (!closed) {
                byte[] buffer = free.take();
                int length = 0;
                IOException failure = null;
                try {
                    while (length < buffer.length) {
                        int n = source.read(buffer, length, buffer.length - length);
                        if (n < 0) {
                            break;
                        }
                        length += n;
                    }
                } catch (IOException | RuntimeException e) {
                    failure = e instanceof IOException io ? io : new IOException(e);
                }
                // The bytes read before a failure go first, as they would without read-ahead.
                if (length > 0) {
                    filled.put(new Chunk(buffer, length, null));
                }
                if (failure != null) {
                    filled.put(new Chunk(null, -1, failure));
                    return;
                }
                if (length < buffer.length) {
                    filled.put(Chunk.END);
                    return;
                }
            }
        } catch (InterruptedException e) {
            // Closed: nobody reads any more.
        }
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
        if (closed) {
            throw new IOException("Stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (current == null || position == current.length()) {
            if (!next()) {
                return -1;
            }
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.buffer(), position, b, off, n);
        position += n;
        return n;
    }

    /** Takes the next filled buffer, giving the last one back; false at the end. */
    private boolean next() throws IOException {
        if (current != null && current.buffer() != null) {
            free.add(current.buffer());
            current = null;
        }
        if (ended) {
            if (failure != null) {
                throw failure; // again: a failed stream never turns into a clean end for a caller that reads on
            }
            return false;
        }
        Chunk chunk;
        try {
            chunk = filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for the source");
        }
        if (chunk.failure() != null) {
            ended = true;
            failure = chunk.failure();
            throw failure;
        }
        if (chunk == Chunk.END) {
            ended = true;
            return false;
        }
        current = chunk;
        position = 0;
        return true;
    }

    /**
     * Stops the reader and waits for it to leave the source (up to {@link #CLOSE_WAIT}): the caller closes the source
     * next, and closing a decompressor or decryptor while another thread is inside its read could free what that
     * read still uses. A source that does not return within the wait (hung storage) is left to its reader.
     */
    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        if (Thread.currentThread() != reader) {
            try {
                reader.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
