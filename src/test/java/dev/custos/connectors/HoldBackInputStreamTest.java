package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The restore tool reading a {@link HoldBackInputStream} must never see the last bytes of a dump before the stored
 * backup has been checked, i.e. before its source returned -1.
 */
class HoldBackInputStreamTest {

    @Test
    void theReaderHasAllButTheLastBytesWhileTheSourceWaitsAtItsEnd() throws Exception {
        byte[] content = content(10_000, 1);
        CountDownLatch atEnd = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        InputStream source = new Ending(content, () -> {
            atEnd.countDown();
            await(checked);
            return -1;
        });
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        AtomicInteger seenSize = new AtomicInteger();
        HoldBackInputStream in = new HoldBackInputStream(source, 100);

        CompletableFuture<Void> tool = CompletableFuture.runAsync(() -> {
            byte[] buffer = new byte[333];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (seen) {
                        seen.write(buffer, 0, n);
                        seenSize.set(seen.size());
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(atEnd.await(30, TimeUnit.SECONDS)).isTrue();

        // The tool is blocked in read() on the source's end: it got everything but the held-back 100 bytes.
        assertThat(seenSize.get()).isEqualTo(content.length - 100);
        assertThat(tool).isNotDone();
        checked.countDown();
        tool.get(30, TimeUnit.SECONDS);
        assertThat(seen.toByteArray()).isEqualTo(content);
    }

    @Test
    void aSourceThatFailsAtItsEndNeverLetsTheLastBytesThrough() {
        byte[] content = content(5_000, 2);
        IOException mismatch = new IOException("SHA-256 mismatch");
        HoldBackInputStream in = new HoldBackInputStream(new Ending(content, () -> {
            throw mismatch;
        }), 64);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();

        assertThatThrownBy(() -> {
            byte[] buffer = new byte[1000];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                seen.write(buffer, 0, n);
            }
        }).isSameAs(mismatch);
        assertThat(seen.toByteArray()).isEqualTo(Arrays.copyOf(content, content.length - 64));
    }

    @Test
    void aSourceThatFailsMidwayPropagatesItsFailure() {
        IOException broken = new IOException("connection reset");
        InputStream source = new InputStream() {
            private int served;

            @Override
            public int read() throws IOException {
                if (served++ < 500) {
                    return 'x';
                }
                throw broken;
            }
        };
        HoldBackInputStream in = new HoldBackInputStream(source, 10);

        assertThatThrownBy(() -> in.readAllBytes()).isSameAs(broken);
    }

    @Test
    void byteAtATimeFromASourceThatGivesOneByteAtATime() throws IOException {
        byte[] content = content(777, 3);
        InputStream oneByOne = new Ending(content, () -> -1) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        HoldBackInputStream in = new HoldBackInputStream(oneByOne, 5);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();

        for (int b; (b = in.read()) >= 0; ) {
            seen.write(b);
        }

        assertThat(seen.toByteArray()).isEqualTo(content);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
    }

    @Test
    void byteAtATimeWithAFailingEndStopsBeforeTheHeldBackBytes() {
        byte[] content = content(300, 4);
        HoldBackInputStream in = new HoldBackInputStream(new Ending(content, () -> {
            throw new IOException("too short");
        }), 7);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();

        assertThatThrownBy(() -> {
            for (int b; (b = in.read()) >= 0; ) {
                seen.write(b);
            }
        }).hasMessage("too short");
        assertThat(seen.toByteArray()).isEqualTo(Arrays.copyOf(content, 293));
    }

    /**
     * Random contents, hold-backs, source chunk sizes and reader chunk sizes: with a clean end every byte comes through
     * exactly; with a failing end exactly all but the last {@code holdBack} bytes, then the failure.
     */
    @Test
    void randomChunkSizesPassEverythingThroughAndHoldTheEndBack() {
        long seed = new Random().nextLong();
        System.out.println("HoldBackInputStreamTest seed: " + seed);
        Random random = new Random(seed);
        for (int round = 0; round < 500; round++) {
            byte[] content = content(random.nextInt(3_000), random.nextLong());
            int holdBack = 1 + random.nextInt(random.nextBoolean() ? 10 : 700);
            boolean fails = random.nextBoolean();
            String what = "seed " + seed + " round " + round + ": " + content.length + " bytes, hold back " + holdBack
                    + (fails ? ", failing end" : "");
            long sourceSeed = random.nextLong();
            IOException failure = new IOException("end of round " + round);
            InputStream source = new Ending(content, () -> {
                if (fails) {
                    throw failure;
                }
                return -1;
            }) {
                private final Random chunks = new Random(sourceSeed);

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return super.read(b, off, Math.min(len, 1 + chunks.nextInt(50)));
                }
            };
            HoldBackInputStream in = new HoldBackInputStream(source, holdBack);
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            IOException thrown = null;
            try {
                byte[] buffer = new byte[1 + random.nextInt(100)];
                while (true) {
                    int n = random.nextInt(5) == 0
                            ? single(in.read(), buffer)
                            : in.read(buffer, 0, 1 + random.nextInt(buffer.length));
                    if (n < 0) {
                        break;
                    }
                    assertThat(n).as(what).isPositive();
                    seen.write(buffer, 0, n);
                }
            } catch (IOException e) {
                thrown = e;
            }
            if (fails) {
                assertThat(thrown).as(what).isSameAs(failure);
                assertThat(seen.toByteArray()).as(what)
                        .isEqualTo(Arrays.copyOf(content, Math.max(0, content.length - holdBack)));
            } else {
                assertThat(thrown).as(what).isNull();
                assertThat(seen.toByteArray()).as(what).isEqualTo(content);
            }
        }
    }

    @Test
    void emptyReadsAndBadArguments() throws IOException {
        HoldBackInputStream in = new HoldBackInputStream(new ByteArrayInputStream(new byte[] {1, 2, 3}), 2);

        assertThat(in.read(new byte[4], 0, 0)).isZero();
        assertThatThrownBy(() -> in.read(new byte[4], 3, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new HoldBackInputStream(InputStream.nullInputStream(), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
    }

    @Test
    void closingClosesTheSource() throws IOException {
        AtomicInteger closed = new AtomicInteger();
        InputStream source = new ByteArrayInputStream(new byte[0]) {
            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };

        new HoldBackInputStream(source).close();

        assertThat(closed).hasValue(1);
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** What a source does where its content ends: return -1, block, or throw. */
    @FunctionalInterface
    private interface End {
        int reached() throws IOException;
    }

    /** Serves its content, then asks {@link End} at every read past it. */
    private static class Ending extends InputStream {
        private final byte[] content;
        private final End end;
        private int position;

        Ending(byte[] content, End end) {
            this.content = content;
            this.end = end;
        }

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
            if (position == content.length) {
                return end.reached();
            }
            int n = Math.min(len, content.length - position);
            System.arraycopy(content, position, b, off, n);
            position += n;
            return n;
        }
    }

    private static int single(int b, byte[] buffer) {
        if (b < 0) {
            return -1;
        }
        buffer[0] = (byte) b;
        return 1;
    }

    private static byte[] content(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IOException("the test never released the end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
