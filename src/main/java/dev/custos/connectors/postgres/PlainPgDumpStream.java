package dev.custos.connectors.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * A plain SQL dump written by pg_dump, on its way to {@code psql --single-transaction}, with the two things fixed
 * that would otherwise let psql commit a partial restore:
 * <ul>
 *   <li>pg_dump wraps the large objects in their own {@code BEGIN;} … {@code COMMIT;}. Inside psql's single
 *       transaction that {@code COMMIT;} would commit everything restored so far, and the rest (indexes,
 *       constraints, grants) would run without a transaction. Those two lines are replaced by comments; the large
 *       objects then load in the one transaction like everything else.</li>
 *   <li>psql commits whatever it read when its input ends, cut or not, and even ends a cut COPY as if it were
 *       complete. pg_dump ends every dump with a "PostgreSQL database dump complete" comment; when the source ends
 *       without it (followed by nothing but blank lines, "--" and psql's unrestrict meta-command), this stream
 *       throws instead of ending, so a restore feeding it kills psql before its commit.</li>
 * </ul>
 * The lines are recognised where pg_dump writes them: as whole lines, outside COPY data, the {@code BEGIN;} right
 * after the comment block pg_dump puts before the large objects. Lines are streamed; only their first
 * {@link #KEPT} bytes are buffered, so a row of any length passes with bounded memory.
 */
final class PlainPgDumpStream extends InputStream {

    /** Longer lines cannot be one of the lines looked for and are passed on as they come. */
    private static final int KEPT = 256;
    private static final String COMPLETE = "-- PostgreSQL database dump complete";
    private static final String LARGE_OBJECTS_HEADING = "-- Data for Name: BLOBS; Type: BLOBS;";
    private static final String LONG_LINE = "\0long";

    private final InputStream source;
    private final byte[] chunk = new byte[64 * 1024];
    private final byte[] line = new byte[KEPT];
    private int lineLength;
    /** The current line outgrew {@link #line} and is being passed through. */
    private boolean longLine;
    private boolean longLineIsCopy;
    /** The last bytes of a long line, to tell a long "COPY … FROM stdin;" line. */
    private final byte[] longTail = new byte[16];
    private int longTailLength;

    private boolean inCopy;
    private boolean inLargeObjects;
    private boolean completeSeen;
    private final Deque<String> recent = new ArrayDeque<>();

    private byte[] pending = new byte[128 * 1024];
    private int pendingStart;
    private int pendingEnd;
    private boolean ended;

    PlainPgDumpStream(InputStream source) {
        this.source = Objects.requireNonNull(source, "source");
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
        while (pendingStart == pendingEnd) {
            if (ended) {
                return -1;
            }
            pendingStart = 0;
            pendingEnd = 0;
            int n = source.read(chunk);
            if (n < 0) {
                finish();
            } else {
                for (int i = 0; i < n; i++) {
                    take(chunk[i]);
                }
            }
        }
        int n = Math.min(len, pendingEnd - pendingStart);
        System.arraycopy(pending, pendingStart, b, off, n);
        pendingStart += n;
        return n;
    }

    private void take(byte b) {
        if (longLine) {
            emit(b);
            if (b == '\n') {
                endLine(LONG_LINE);
            } else {
                longTail[longTailLength % longTail.length] = b;
                longTailLength++;
            }
            return;
        }
        line[lineLength++] = b;
        if (b == '\n') {
            String text = text(line, lineLength);
            String replacement = classify(text);
            if (replacement == null) {
                emit(line, 0, lineLength);
            } else {
                byte[] comment = (replacement + "\n").getBytes(StandardCharsets.UTF_8);
                emit(comment, 0, comment.length);
            }
            lineLength = 0;
        } else if (lineLength == KEPT) {
            longLine = true;
            longLineIsCopy = !inCopy && startsWith(line, lineLength, "COPY ");
            longTailLength = 0;
            emit(line, 0, lineLength);
            lineLength = 0;
        }
    }

    private void finish() throws IOException {
        if (longLine) {
            endLine(LONG_LINE);
        } else if (lineLength > 0) {
            String text = text(line, lineLength);
            String replacement = classify(text);
            if (replacement == null) {
                emit(line, 0, lineLength);
            } else {
                byte[] comment = replacement.getBytes(StandardCharsets.UTF_8);
                emit(comment, 0, comment.length);
            }
            lineLength = 0;
        }
        if (inCopy || inLargeObjects || !completeSeen) {
            throw new IOException("the SQL dump ends before pg_dump's closing \"" + COMPLETE.substring(3)
                    + "\" line: it is truncated");
        }
        ended = true;
    }

    /** The end of a long line: only a COPY start matters among them. */
    private void endLine(String marker) {
        if (longLineIsCopy && endsLikeCopyStart()) {
            inCopy = true;
        }
        longLine = false;
        longLineIsCopy = false;
        // Nothing that long follows pg_dump's closing comment.
        completeSeen = false;
        remember(marker);
    }

    /**
     * Decides about one whole short line (its text without the line break): null to pass it on, else the comment
     * that takes its place.
     */
    private String classify(String text) {
        if (inCopy) {
            if (text.equals("\\.")) {
                inCopy = false;
            }
            return null;
        }
        String replacement = null;
        if (text.startsWith("COPY ") && text.endsWith(" FROM stdin;")) {
            inCopy = true;
        } else if (inLargeObjects && text.equals("COMMIT;")) {
            inLargeObjects = false;
            replacement = "-- COMMIT; left out by Custos: the whole restore is one transaction";
        } else if (!inLargeObjects && text.equals("BEGIN;") && largeObjectsHeadingBefore()) {
            inLargeObjects = true;
            replacement = "-- BEGIN; left out by Custos: the whole restore is one transaction";
        }
        if (text.equals(COMPLETE)) {
            completeSeen = true;
        } else if (!(text.isEmpty() || text.equals("--") || text.startsWith("\\unrestrict "))) {
            completeSeen = false;
        }
        remember(text);
        return replacement;
    }

    /** pg_dump writes "--", "-- Data for Name: BLOBS; Type: BLOBS; …", "--", "" right before its BEGIN. */
    private boolean largeObjectsHeadingBefore() {
        List<String> last = List.copyOf(recent);
        return last.size() == 4 && last.get(0).equals("--") && last.get(1).startsWith(LARGE_OBJECTS_HEADING)
                && last.get(2).equals("--") && last.get(3).isEmpty();
    }

    private void remember(String text) {
        recent.addLast(text);
        if (recent.size() > 4) {
            recent.removeFirst();
        }
    }

    private boolean endsLikeCopyStart() {
        byte[] suffix = " FROM stdin;".getBytes(StandardCharsets.US_ASCII);
        int kept = Math.min(longTailLength, longTail.length);
        byte[] tail = new byte[kept];
        for (int i = 0; i < kept; i++) {
            tail[i] = longTail[(longTailLength - kept + i) % longTail.length];
        }
        int end = kept > 0 && tail[kept - 1] == '\r' ? kept - 1 : kept;
        return end >= suffix.length && Arrays.equals(tail, end - suffix.length, end, suffix, 0, suffix.length);
    }

    private static boolean startsWith(byte[] bytes, int length, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        return length >= p.length && Arrays.equals(bytes, 0, p.length, p, 0, p.length);
    }

    private static String text(byte[] bytes, int length) {
        int end = length;
        if (end > 0 && bytes[end - 1] == '\n') {
            end--;
        }
        if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    private void emit(byte b) {
        ensure(1);
        pending[pendingEnd++] = b;
    }

    private void emit(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, pending, pendingEnd, length);
        pendingEnd += length;
    }

    private void ensure(int more) {
        if (pendingEnd + more > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingEnd + more));
        }
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
