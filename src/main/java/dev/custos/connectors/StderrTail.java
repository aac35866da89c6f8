package dev.custos.connectors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * The end of a tool's stderr, kept within fixed bounds whatever the tool writes: a tool stuck in a loop of warnings
 * must not fill the heap. Lines longer than {@link #MAX_LINE_BYTES} are cut; only the last {@link #MAX_LINES} lines
 * and at most {@link #MAX_TAIL_CHARS} characters are kept.
 */
final class StderrTail {

    static final int MAX_LINES = 30;
    static final int MAX_TAIL_CHARS = 64 * 1024;
    static final int MAX_LINE_BYTES = 8 * 1024;

    private final Deque<String> lines = new ArrayDeque<>();
    private final Consumer<String> listener;
    private int chars;

    /** @param listener hears every line (cut to the line bound) as it is read; null for nobody */
    StderrTail(Consumer<String> listener) {
        this.listener = listener;
    }

    /** Reads the stream to its end (or until it fails, as it does when the process is killed). */
    void consume(InputStream stderr) {
        byte[] buffer = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        boolean cut = false;
        try {
            int n;
            while ((n = stderr.read(buffer)) != -1) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        add(line, cut);
                        line.reset();
                        cut = false;
                    } else if (line.size() < MAX_LINE_BYTES) {
                        line.write(b);
                    } else {
                        cut = true;
                    }
                }
            }
        } catch (IOException e) {
            // The process died and took the pipe with it; what was read so far is the tail.
        }
        if (line.size() > 0) {
            add(line, cut);
        }
    }

    private void add(ByteArrayOutputStream bytes, boolean cut) {
        String line = bytes.toString(StandardCharsets.UTF_8);
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (cut) {
            line = line + "…";
        }
        synchronized (this) {
            lines.addLast(line);
            chars += line.length() + 1;
            while (lines.size() > MAX_LINES || (chars > MAX_TAIL_CHARS && lines.size() > 1)) {
                chars -= lines.removeFirst().length() + 1;
            }
        }
        if (listener != null) {
            try {
                listener.accept(line);
            } catch (RuntimeException e) {
                // A failing listener must not stop stderr from being drained, or the tool would block on it.
            }
        }
    }

    /** The kept lines joined by '\n', without a trailing newline; empty if the tool wrote nothing. */
    synchronized String text() {
        return String.join("\n", lines);
    }
}
