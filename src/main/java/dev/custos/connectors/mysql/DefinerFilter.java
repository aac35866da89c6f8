package dev.custos.connectors.mysql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mariadb-dump or mysqldump stream with every DEFINER clause of a view, trigger, routine or event rewritten to
 * {@code DEFINER=CURRENT_USER}. A dump names the account that created each object; restored where that account does
 * not exist (another server, a dropped user), the object is created but fails when used ("The user specified as a
 * definer does not exist"), and creating it needs SUPER or SET USER where the account differs from the restoring one.
 *
 * <p>Streams with bounded memory, whatever the length of a line: rows are the bulk of a dump and come as extended
 * INSERT lines of many megabytes, so a statement that starts with INSERT or REPLACE passes straight through, with
 * only its quotes tracked to find where it ends, and nothing inside it is ever rewritten. Other lines (DDL, comments,
 * SET) are buffered up to {@link #MAX_LINE} bytes and rewritten; the rest of a longer line passes through untouched.
 * The clause is only recognised where a dump puts it, at the start of its line: after a version comment's opener
 * ({@code /*!50013 DEFINER=…}, {@code /*!50017}, {@code /*!50117}) or after {@code CREATE} ({@code CREATE
 * DEFINER=… PROCEDURE}), so the same text in a view's or routine's body stays as it is.
 */
final class DefinerFilter extends InputStream {

    /** What a DDL line is buffered to: the clause sits at the line's start and is a few hundred bytes at most. */
    static final int MAX_LINE = 16 * 1024;
    private static final int CHUNK = 64 * 1024;

    /** A user or host: quoted three ways (doubled quotes and backslash escapes inside) or a bare word. */
    private static final String NAME = "(?:`(?:[^`]|``)*`"
            + "|'(?:[^'\\\\]|\\\\.|'')*'"
            + "|\"(?:[^\"\\\\]|\\\\.|\"\")*\""
            + "|[\\w$.%\\u0080-\\u00ff-]+)";
    /**
     * Group 1 is what precedes the clause: leading version comments ({@code /*!50003 CREATE*}{@code /}), then the
     * opener of the clause's own version comment or a CREATE with the options that may come before DEFINER.
     * CURRENT_USER and CURRENT_ROLE name no account and stay.
     */
    private static final Pattern CLAUSE = Pattern.compile("^(\\s*(?:/\\*M?![0-9]*\\s[^*]*\\*/\\s*)*"
            + "(?:/\\*M?![0-9]*\\s*|CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:ALGORITHM\\s*=\\s*\\w+\\s+)?))"
            + "DEFINER\\s*=\\s*(?!CURRENT_USER\\b|CURRENT_ROLE\\b)" + NAME + "(?:\\s*@\\s*" + NAME + ")?",
            Pattern.CASE_INSENSITIVE);
    private static final byte[] REPLACEMENT = "DEFINER=CURRENT_USER".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] DATA_STATEMENTS = {
            "INSERT".getBytes(StandardCharsets.US_ASCII), "REPLACE".getBytes(StandardCharsets.US_ASCII)};

    private enum Mode {
        /** At a line's start, not yet knowing whether it starts a data statement; buffering. */
        START,
        /** In a line that is not data; buffering it to rewrite it whole. */
        DDL,
        /** In a line longer than {@link #MAX_LINE} whose start was rewritten; passing the rest through. */
        PASS,
        /** In an INSERT or REPLACE statement, until the end of the line where it ends; passing through. */
        DATA
    }

    private final InputStream source;
    private final byte[] chunk = new byte[CHUNK];
    /** One more than {@link #MAX_LINE}: a full line's newline still fits. */
    private final byte[] line = new byte[MAX_LINE + 1];
    private int lineLength;
    private byte[] out = new byte[CHUNK + MAX_LINE];
    private int outStart;
    private int outEnd;
    private int maxBuffered;
    private Mode mode = Mode.START;
    /** In DATA: the quote character we are inside of, else 0; whether the previous byte was a backslash in it. */
    private int quote;
    private boolean escaped;
    private boolean statementEnded;
    private boolean sourceEnded;
    private long rewritten;

    DefinerFilter(InputStream source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** DEFINER clauses rewritten so far. */
    long rewritten() {
        return rewritten;
    }

    /** The most bytes this filter ever held at once, for tests of its bound. */
    int maxBuffered() {
        return maxBuffered;
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
        while (outStart == outEnd) {
            if (sourceEnded) {
                return -1;
            }
            outStart = 0;
            outEnd = 0;
            int n = source.read(chunk, 0, chunk.length);
            if (n < 0) {
                sourceEnded = true;
                endOfLine();
            } else {
                filter(chunk, n);
            }
            maxBuffered = Math.max(maxBuffered, outEnd + lineLength);
        }
        int n = Math.min(len, outEnd - outStart);
        System.arraycopy(out, outStart, b, off, n);
        outStart += n;
        return n;
    }

    @Override
    public int available() {
        return outEnd - outStart;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    private void filter(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            switch (mode) {
                case DATA -> i = data(bytes, i, length);
                case PASS -> i = pass(bytes, i, length);
                default -> {
                    byte b = bytes[i++];
                    if (b == '\n') {
                        line[lineLength++] = b;
                        endOfLine();
                    } else if (mode == Mode.START) {
                        line[lineLength++] = b;
                        startOfLine();
                    } else if (lineLength == MAX_LINE) {
                        emitLine();
                        mode = Mode.PASS;
                        emit(b);
                    } else {
                        line[lineLength++] = b;
                    }
                }
            }
        }
    }

    /** Decides what a line is once its first bytes say so. */
    private void startOfLine() {
        int start = 0;
        while (start < lineLength && (line[start] == ' ' || line[start] == '\t' || line[start] == '\r')) {
            start++;
        }
        boolean undecided = start == lineLength;
        for (byte[] keyword : DATA_STATEMENTS) {
            int have = Math.min(lineLength - start, keyword.length);
            if (!startsWithIgnoreCase(line, start, keyword, have)) {
                continue;
            }
            if (lineLength - start == keyword.length) {
                undecided = true;
            } else if (lineLength - start > keyword.length) {
                byte after = line[start + keyword.length];
                if (after == ' ' || after == '\t' || after == '\r') {
                    // The keyword has no quotes: the buffered bytes leave as they are, the lexer starts afresh.
                    emit(line, 0, lineLength);
                    lineLength = 0;
                    quote = 0;
                    escaped = false;
                    statementEnded = false;
                    mode = Mode.DATA;
                    return;
                }
            } else {
                undecided = true;
            }
        }
        if (!undecided) {
            mode = Mode.DDL;
        } else if (lineLength == MAX_LINE) {
            // Only blanks and the start of a keyword so far, and no room for more: not a line a dump has.
            emitLine();
            mode = Mode.PASS;
        }
    }

    private static boolean startsWithIgnoreCase(byte[] bytes, int offset, byte[] keyword, int length) {
        for (int k = 0; k < length; k++) {
            int c = bytes[offset + k];
            if (c >= 'a' && c <= 'z') {
                c -= 'a' - 'A';
            }
            if (c != keyword[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Passes data through, tracking quotes ('…' and "…" with backslash escapes, `…`; a doubled quote closes and
     * reopens) so that a ';' or a newline inside a value does not end the statement. Returns where it stopped.
     */
    private int data(byte[] bytes, int from, int length) {
        int i = from;
        boolean lineEnded = false;
        while (i < length) {
            byte b = bytes[i++];
            if (escaped) {
                escaped = false;
            } else if (quote != 0) {
                if (b == '\\' && quote != '`') {
                    escaped = true;
                } else if (b == quote) {
                    quote = 0;
                }
            } else if (b == '\'' || b == '"' || b == '`') {
                quote = b;
            } else if (b == ';') {
                statementEnded = true;
            } else if (b == '\n' && statementEnded) {
                lineEnded = true;
                break;
            }
        }
        emit(bytes, from, i - from);
        if (lineEnded) {
            mode = Mode.START;
        }
        return i;
    }

    private int pass(byte[] bytes, int from, int length) {
        int i = from;
        while (i < length && bytes[i] != '\n') {
            i++;
        }
        if (i < length) {
            i++;
            mode = Mode.START;
        }
        emit(bytes, from, i - from);
        return i;
    }

    private void endOfLine() {
        if (lineLength > 0) {
            emitLine();
        }
        mode = Mode.START;
    }

    /** Emits the buffered line (or the buffered start of a long one) with its clause rewritten. */
    private void emitLine() {
        // ISO-8859-1 maps each byte to one char and back, so whatever is not rewritten leaves byte for byte.
        Matcher clause = CLAUSE.matcher(new String(line, 0, lineLength, StandardCharsets.ISO_8859_1));
        if (clause.lookingAt()) {
            int before = clause.end(1);
            emit(line, 0, before);
            emit(REPLACEMENT, 0, REPLACEMENT.length);
            emit(line, clause.end(), lineLength - clause.end());
            rewritten++;
        } else {
            emit(line, 0, lineLength);
        }
        lineLength = 0;
    }

    private void emit(byte b) {
        ensure(1);
        out[outEnd++] = b;
    }

    private void emit(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, out, outEnd, length);
        outEnd += length;
    }

    /** Grows only past a chunk plus a line plus a rewrite's few extra bytes, which one filter call cannot exceed. */
    private void ensure(int more) {
        if (outEnd + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outEnd + more));
        }
    }
}
