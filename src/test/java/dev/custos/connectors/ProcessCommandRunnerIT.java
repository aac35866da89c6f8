package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Real processes (sh, sleep, head, cat): what the runner promises about output, stderr, time and cancelling. */
class ProcessCommandRunnerIT {

    private final ProcessCommandRunner runner = new ProcessCommandRunner();

    @Test
    void copiesStdoutAndReportsTheExitCodeAndStderr() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        CommandResult result = runner.run(sh("printf 'dump bytes'; echo 'pg_dump: error: no' >&2; exit 3"), out,
                Cancellation.none());

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("dump bytes");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stderrTail()).isEqualTo("pg_dump: error: no");
        assertThat(result.stdoutBytes()).isEqualTo(10);
    }

    @Test
    void streamsALargeOutputExactlyInLargeWrites() throws Exception {
        long size = 64L * 1024 * 1024;
        AtomicLong received = new AtomicLong();
        AtomicInteger writes = new AtomicInteger();
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("byte-at-a-time write on the hot path");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                received.addAndGet(len);
                writes.incrementAndGet();
            }
        };

        CommandResult result = runner.run(Command.of("head", "-c", Long.toString(size), "/dev/zero"), counting,
                Cancellation.none());

        assertThat(result.exitCode()).isZero();
        assertThat(received.get()).isEqualTo(size).isEqualTo(result.stdoutBytes());
        // A pipe hands over at most 64 KiB per read; downstream sees whole buffers instead.
        assertThat(writes.get()).isEqualTo((int) (size / ProcessCommandRunner.COPY_BUFFER_BYTES));
    }

    @Test
    void theStderrTailStaysBoundedWhileEveryLineIsHeard() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        // 20 000 warning lines, then 8 MiB on one line without a newline.
        Command chatty = sh("i=0; while [ $i -lt 20000 ]; do echo \"warning $i\"; i=$((i+1)); done >&2;"
                + " head -c 8388608 /dev/zero | tr '\\0' x >&2; echo >&2; echo 'last line' >&2")
                .withStderrLines(heard::add);

        CommandResult result = runner.run(chatty, OutputStream.nullOutputStream(), Cancellation.none());

        assertThat(heard).hasSize(20_002).startsWith("warning 0");
        assertThat(result.stderrTail().length()).isLessThanOrEqualTo(64 * 1024);
        assertThat(result.stderrTail().lines().count()).isLessThanOrEqualTo(30);
        assertThat(result.stderrTail()).endsWith("last line");
    }

    @Test
    void theEnvironmentReachesTheToolAndStdinIsFed() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Command command = sh("printf '%s|' \"$CUSTOS_TEST_SECRET\"; cat")
                .withEnvironment(Map.of("CUSTOS_TEST_SECRET", "from-the-environment"))
                .withStdin(new ByteArrayInputStream("from stdin".getBytes(StandardCharsets.UTF_8)));

        runner.run(command, out, Cancellation.none());

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("from-the-environment|from stdin");
        assertThat(command.toString()).contains("CUSTOS_TEST_SECRET").doesNotContain("from-the-environment");
    }

    @Test
    void aTimeoutKillsTheWholeTreeAndSaysSo() {
        PidRecorder pids = new PidRecorder();
        Command slow = sh("sleep 300 & echo $!; echo $$; wait").withTimeout(Duration.ofMillis(1500));

        assertThatThrownBy(() -> runner.run(slow, pids, Cancellation.none()))
                .isInstanceOf(CommandTimeoutException.class)
                .hasMessage("sh did not finish within 1.5s and was stopped");

        assertThat(pids.pids()).hasSize(2).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d", pid).isFalse());
    }

    @Test
    void cancellingKillsTheToolAndItsChildren() throws Exception {
        PidRecorder pids = new PidRecorder();
        Cancellation cancellation = new Cancellation();
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                // The padding fills the runner's copy buffer, so the ids reach the output while the tree still runs.
                return runner.run(sh("sleep 300 & echo $!; sleep 300 & echo $!; echo $$; head -c 600000 /dev/zero; wait"),
                        pids, cancellation);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> pids.pids().size() == 3);
        assertThat(pids.pids()).allSatisfy(pid -> assertThat(alive(pid)).isTrue());

        cancellation.cancel();

        assertThatThrownBy(() -> run.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(Cancellation.CancelledException.class);
        assertThat(pids.pids()).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d", pid).isFalse());
    }

    @Test
    void cancelledBeforeItStartsRunsNothing() {
        Cancellation cancellation = new Cancellation();
        cancellation.cancel();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> runner.run(sh("echo ran"), out, cancellation))
                .isInstanceOf(Cancellation.CancelledException.class);
        assertThat(out.size()).isZero();
    }

    @Test
    void anOutputThatFailsKillsTheToolAndItsExceptionPropagates() {
        IOException diskFull = new IOException("No space left on device");
        PidRecorder pids = new PidRecorder() {
            private int writes;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                super.write(b, off, len);
                if (++writes == 3) {
                    throw diskFull;
                }
            }
        };

        // yes writes forever: only the failure can end this run.
        assertThatThrownBy(() -> runner.run(sh("echo $$; exec yes"), pids, Cancellation.none())).isSameAs(diskFull);

        assertThat(pids.pids()).hasSize(1).allSatisfy(pid -> assertThat(alive(pid)).isFalse());
    }

    @Test
    void aStdinSourceThatFailsKillsTheToolAndItsExceptionPropagates() {
        IOException storageGone = new IOException("object storage read failed");
        InputStream failing = new InputStream() {
            private int reads;

            @Override
            public int read() throws IOException {
                throw storageGone;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (reads++ < 2) {
                    java.util.Arrays.fill(b, off, off + len, (byte) 'r');
                    return len;
                }
                throw storageGone;
            }
        };

        assertThatThrownBy(() -> runner.run(Command.of("cat").withStdin(failing), OutputStream.nullOutputStream(),
                Cancellation.none())).isSameAs(storageGone);
    }

    @Test
    void aProgramThatDoesNotExistCannotStart() {
        assertThatThrownBy(() -> runner.run(Command.of("/nonexistent/custos-tool"), OutputStream.nullOutputStream(),
                Cancellation.none()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("/nonexistent/custos-tool");
    }

    private static Command sh(String script) {
        return Command.of("sh", "-c", script);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Collects the process ids a script prints, one a line, before anything else it writes. */
    private static class PidRecorder extends OutputStream {
        private final StringBuffer text = new StringBuffer();

        @Override
        public void write(int b) {
            text.append((char) b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            // Only the head matters; 'yes' would otherwise fill the heap.
            if (text.length() < 4096) {
                text.append(new String(b, off, Math.min(len, 4096), StandardCharsets.ISO_8859_1));
            }
        }

        List<Long> pids() {
            return text.toString().lines().filter(line -> line.matches("\\d+")).map(Long::parseLong).toList();
        }
    }
}
