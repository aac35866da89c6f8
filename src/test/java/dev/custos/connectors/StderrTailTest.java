package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class StderrTailTest {

    @Test
    void keepsTheLastLinesAndTellsEveryLine() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            text.append("warning ").append(i).append("\r\n");
        }
        List<String> heard = new ArrayList<>();
        StderrTail tail = new StderrTail(heard::add);

        tail.consume(stream(text.toString()));

        assertThat(heard).hasSize(1000).startsWith("warning 0");
        assertThat(tail.text().lines().toList()).hasSize(StderrTail.MAX_LINES).endsWith("warning 999");
    }

    @Test
    void aHugeLineWithoutNewlineIsCutNotBuffered() {
        // 64 MiB of one line, produced lazily: the tail must not grow with it.
        InputStream endless = new InputStream() {
            long left = 64L * 1024 * 1024;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        StderrTail tail = new StderrTail(null);

        tail.consume(new SequenceInputStream(endless, stream("\nlast words\n")));

        assertThat(tail.text().length()).isLessThanOrEqualTo(StderrTail.MAX_TAIL_CHARS);
        assertThat(tail.text()).endsWith("…\nlast words");
    }

    @Test
    void manyLongLinesStayWithinTheCharacterBound() {
        String line = "y".repeat(StderrTail.MAX_LINE_BYTES - 1) + "\n";
        StderrTail tail = new StderrTail(null);

        tail.consume(stream(String.join("", Collections.nCopies(StderrTail.MAX_LINES, line))));

        assertThat(tail.text().length()).isLessThanOrEqualTo(StderrTail.MAX_TAIL_CHARS);
        assertThat(tail.text().lines().count()).isLessThan(StderrTail.MAX_LINES);
    }

    @Test
    void aFailingListenerDoesNotStopTheDraining() {
        StderrTail tail = new StderrTail(line -> {
            throw new IllegalStateException("listener bug");
        });

        tail.consume(stream("one\ntwo\n"));

        assertThat(tail.text()).isEqualTo("one\ntwo");
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
