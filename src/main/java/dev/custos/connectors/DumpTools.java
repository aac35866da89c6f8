package dev.custos.connectors;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the connectors that dump through an external tool share: finding the tool, asking its version, and turning
 * a run into what {@link DatabaseConnector#dump} promises (a {@link DumpException} with the stderr tail, passwords
 * redacted; the steps in the {@link DumpLog}).
 */
public final class DumpTools {

    /**
     * A safety net against a tool that hangs without failing, not a performance bound: a large database may
     * legitimately take hours. Cancelling the job stops a dump sooner.
     */
    public static final Duration DUMP_TIME_LIMIT = Duration.ofHours(24);
    /** Bound on the connection a connector opens before the dump to learn the server's version. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration VERSION_TIME_LIMIT = Duration.ofSeconds(30);
    /** Warnings kept from a successful run; beyond them only a count, so that a chatty tool cannot flood the log. */
    private static final int MAX_WARNINGS = 100;

    private DumpTools() {
    }

    /** The first file named {@code program} in a directory of PATH that is an executable file, as a shell would. */
    public static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(directory, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            } catch (InvalidPathException e) {
                // A malformed PATH entry cannot hold the tool.
            }
        }
        return Optional.empty();
    }

    /** The first line {@code program --version} prints. */
    public static String versionLine(CommandRunner runner, Path program) {
        BoundedBuffer output = new BoundedBuffer(4096);
        Command command = Command.of(program.toString(), "--version").withTimeout(VERSION_TIME_LIMIT);
        CommandResult result;
        try {
            result = runner.run(command, output, Cancellation.none());
        } catch (IOException e) {
            throw new DumpException("cannot run " + program + " --version: " + e.getMessage(), e);
        }
        String text = output.toString().strip();
        if (!result.succeeded() || text.isEmpty()) {
            throw new DumpException(program + " --version " + failure(result));
        }
        return text.lines().findFirst().orElse(text);
    }

    /**
     * Runs a dump tool with its stdout going to {@code out}, and reports it in {@code log} as "{@code label} started"
     * and "{@code label} finished". Returns the stderr lines of the successful run (warnings), each also logged.
     *
     * @param label the tool and its version, "pg_dump 15.8"
     * @throws DumpException the tool failed, timed out, could not start, or {@code out} failed (the cause)
     * @throws Cancellation.CancelledException cancelled; the tool's process tree is gone
     */
    public static List<String> run(CommandRunner runner, Command command, String label, OutputStream out,
            ConnectionTarget target, DumpLog log, Cancellation cancellation) {
        List<String> lines = new ArrayList<>();
        int[] dropped = {0};
        Command withLines = command.withStderrLines(line -> {
            synchronized (lines) {
                if (lines.size() < MAX_WARNINGS) {
                    lines.add(target.redact(line));
                } else {
                    dropped[0]++;
                }
            }
        });
        OutputFailures storage = new OutputFailures(out);
        String program = command.programName();
        log.info(label + " started");
        CommandResult result;
        try {
            result = runner.run(withLines, storage, cancellation);
        } catch (CommandTimeoutException e) {
            throw new DumpException(target.redact(e.getMessage() + tail(e.stderrTail())), e);
        } catch (IOException e) {
            if (storage.failure != null) {
                throw new DumpException(program + " was stopped because writing the dump failed: " + e.getMessage(), e);
            }
            throw new DumpException(target.redact(program + " failed: " + e.getMessage()), e);
        }
        if (!result.succeeded()) {
            throw new DumpException(target.redact(program + " " + failure(result)));
        }
        List<String> warnings;
        synchronized (lines) {
            warnings = new ArrayList<>(lines);
            if (dropped[0] > 0) {
                warnings.add("(" + dropped[0] + " more lines from " + program + " not shown)");
            }
        }
        warnings.forEach(log::warn);
        log.info(label + " finished: " + result.stdoutBytes() + " bytes in " + seconds(result.elapsed()));
        return List.copyOf(warnings);
    }

    private static String failure(CommandResult result) {
        int code = result.exitCode();
        // 128 + n is how a shell reports death by signal n; Java reports it the same way.
        String how = code > 128 && code < 160 ? "was killed by signal " + (code - 128) : "exited with code " + code;
        return how + tail(result.stderrTail());
    }

    private static String tail(String stderrTail) {
        return stderrTail == null || stderrTail.isBlank() ? " and wrote nothing to stderr" : ": " + stderrTail.strip();
    }

    private static String seconds(Duration elapsed) {
        return String.format(java.util.Locale.ROOT, "%.1f s", elapsed.toMillis() / 1000.0);
    }

    /** Remembers the exception the real output threw, so that a storage failure is not blamed on the tool. */
    private static final class OutputFailures extends OutputStream {
        private final OutputStream out;
        private volatile IOException failure;

        OutputFailures(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    /** Keeps the first {@code limit} bytes and ignores the rest: a version banner, never a dump. */
    private static final class BoundedBuffer extends ByteArrayOutputStream {
        private final int limit;

        BoundedBuffer(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            super.write(bytes, offset, Math.max(0, Math.min(length, limit - count)));
        }

        @Override
        public synchronized void write(int b) {
            if (count < limit) {
                super.write(b);
            }
        }

        @Override
        public synchronized String toString() {
            return toString(StandardCharsets.UTF_8);
        }
    }
}
