package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {

    @Test
    void passesEveryByteInOrderWhateverTheBufferAndReadSizes() throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int run = 0; run < 50; run++) {
            byte[] data = new byte[random.nextInt(300_000)];
            random.nextBytes(data);
            int bufferSize = 1 + random.nextInt(70_000);
            int buffers = 1 + random.nextInt(4);
            try (InputStream in = new ReadAheadInputStream(new Trickle(data, random.nextLong()), bufferSize, buffers,
                    "test")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] chunk = new byte[1 + random.nextInt(50_000)];
                int n;
                while ((n = in.read(chunk, 0, 1 + random.nextInt(chunk.length))) != -1) {
                    out.write(chunk, 0, n);
                }
                assertThat(out.toByteArray()).as("seed %d run %d", seed, run).isEqualTo(data);
                assertThat(in.read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void aFailureOfTheSourceArrivesAfterTheBytesReadBeforeIt() throws IOException {
        byte[] data = new byte[100_000];
        new Random(1).nextBytes(data);
        InputStream failing = new InputStream() {
            private int position;

            @Override
            public int read() throws IOException {
                if (position == data.length) {
                    throw new IOException("checksum mismatch");
                }
                return data[position++] & 0xff;
            }
        };
        try (InputStream in = new ReadAheadInputStream(failing, 8192, 3, "test")) {
            byte[] got = in.readNBytes(data.length);
            assertThat(got).isEqualTo(data);
            assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("checksum mismatch");
            // A caller that reads on after the failure must never see a clean end of the stream.
            assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("checksum mismatch");
            assertThatThrownBy(() -> in.read(new byte[10])).isInstanceOf(IOException.class);
        }
    }

    @Test
    void closeReturnsOnlyOnceTheReaderHasLeftTheSource() throws Exception {
        // The caller closes the source right after: a decompressor closed under a read in progress could free memory
        // that read still uses. So close() must wait for a read that is under way to come back.
        java.util.concurrent.CountDownLatch inRead = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean();
        InputStream slow = new InputStream() {
            @Override
            public int read() {
                return 1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                reading.set(true);
                inRead.countDown();
                long until = System.nanoTime() + Duration.ofMillis(500).toNanos();
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // busy, as a decompressor is: an interrupt does not cut it short
                }
                reading.set(false);
                return len;
            }
        };
        ReadAheadInputStream in = new ReadAheadInputStream(slow, 1024, 2, "read-ahead-slow-test");
        assertThat(inRead.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        in.close();
        assertThat(reading.get()).as("still inside the source's read after close()").isFalse();
    }

    @Test
    void closingStopsTheReaderWhileItWaitsForRoom() throws Exception {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 7;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 7);
                return len;
            }
        };
        ReadAheadInputStream in = new ReadAheadInputStream(endless, 1024, 2, "read-ahead-close-test");
        assertThat(in.read()).isEqualTo(7);
        in.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("read-ahead-close-test")));
        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    }

    /** Hands out its bytes in random small pieces, as a network or a decompressor does. */
    private static final class Trickle extends InputStream {
        private final ByteArrayInputStream data;
        private final Random random;

        Trickle(byte[] bytes, long seed) {
            this.data = new ByteArrayInputStream(bytes);
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            return data.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return data.read(b, off, Math.min(len, 1 + random.nextInt(9000)));
        }
    }
}
