package dev.custos.connectors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/**
 * {@link CommandRunner} on operating-system processes. The calling thread copies stdout (the hot path of a backup:
 * large reads straight into {@code stdout}, no per-byte work); one helper thread per run drains stderr, another feeds
 * stdin when there is one.
 */
@Component
public class ProcessCommandRunner implements CommandRunner {

    /** Big enough that a multi-gigabyte dump costs few write calls downstream; a pipe delivers at most 64 KiB a read. */
    static final int COPY_BUFFER_BYTES = 512 * 1024;
    /** Buffers of stdin read ahead: 4 MiB per running tool. */
    static final int READ_AHEAD_BUFFERS = 8;
    /** How long to wait for a killed tree to be reaped and its stderr drained before giving up on them. */
    private static final Duration REAP_WAIT = Duration.ofSeconds(10);

    private static final ScheduledExecutorService TIMEOUTS = timeoutScheduler();

    private enum Stop { CANCELLED, TIMED_OUT, FAILED }

    @Override
    public CommandResult run(Command command, OutputStream stdout, Cancellation cancellation) throws IOException {
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command.argv());
        builder.environment().putAll(command.environment());
        Process process = builder.start();

        Tree tree = new Tree(process);
        Runnable unregister = cancellation.onCancel(() -> tree.kill(Stop.CANCELLED));
        ScheduledFuture<?> timer = command.timeout() == null ? null
                : TIMEOUTS.schedule(() -> tree.kill(Stop.TIMED_OUT), command.timeout().toNanos(), TimeUnit.NANOSECONDS);

        StderrTail tail = new StderrTail(command.stderrLines());
        Thread stderrReader = daemon("stderr of " + command.programName(), () -> tail.consume(process.getErrorStream()));
        AtomicReference<IOException> stdinFailure = new AtomicReference<>();
        Thread stdinWriter = null;
        if (command.stdin() == null) {
            process.getOutputStream().close();
        } else {
            stdinWriter = daemon("stdin of " + command.programName(),
                    () -> feed(command.stdin(), tree, stdinFailure, command.programName()));
        }
        try {
            long bytes = copy(tree, stdout, command.programName());
            int exitCode = process.waitFor();
            // Bounded: a background child the tool left behind may hold stderr open, and a stdin source may hang.
            joinBriefly(stderrReader);
            joinBriefly(stdinWriter);
            Stop why = tree.stop.get();
            if (why == Stop.CANCELLED) {
                throw new Cancellation.CancelledException();
            }
            if (why == Stop.TIMED_OUT) {
                throw new CommandTimeoutException(command.programName(), command.timeout(), tail.text());
            }
            if (stdinFailure.get() != null) {
                throw stdinFailure.get();
            }
            return new CommandResult(exitCode, tail.text(), Duration.ofNanos(System.nanoTime() - started), bytes);
        } catch (InterruptedException e) {
            tree.kill(Stop.CANCELLED);
            Thread.currentThread().interrupt();
            throw new Cancellation.CancelledException();
        } finally {
            unregister.run();
            if (timer != null) {
                timer.cancel(false);
            }
            if (process.isAlive() || process.descendants().findAny().isPresent()) {
                // Any way out of here but a normal exit (storage failed, a bug, an interrupt) ends the tool too.
                tree.kill(Stop.FAILED);
            }
            tree.reap(stderrReader);
        }
    }

    private static long copy(Tree tree, OutputStream stdout, String program) throws IOException {
        InputStream in = tree.process.getInputStream();
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        long total = 0;
        while (true) {
            int filled;
            try {
                // Filled whole before it is written: downstream (compression, encryption, hashing, storage) sees few
                // large writes, not one per pipe read (at most 64 KiB each, often far less).
                filled = in.readNBytes(buffer, 0, buffer.length);
            } catch (IOException e) {
                if (tree.stop.get() != null) {
                    return total;
                }
                throw new IOException("reading the output of " + program + " failed: " + e.getMessage(), e);
            }
            if (filled > 0) {
                try {
                    stdout.write(buffer, 0, filled);
                } catch (IOException | RuntimeException e) {
                    tree.kill(Stop.FAILED);
                    throw e;
                }
                total += filled;
            }
            if (filled < buffer.length) {
                return total;
            }
        }
    }

    private static void feed(InputStream stdin, Tree tree, AtomicReference<IOException> failure, String name) {
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        // Read ahead, so that producing the next bytes (decrypt, decompress) overlaps the tool's reading of these.
        try (InputStream source = new ReadAheadInputStream(stdin, COPY_BUFFER_BYTES, READ_AHEAD_BUFFERS,
                "read-ahead for " + name);
                OutputStream sink = tree.process.getOutputStream()) {
            while (true) {
                int n;
                try {
                    n = source.read(buffer);
                } catch (IOException e) {
                    // The bytes we were to feed could not be read (storage failed): the tool must not see a short input.
                    failure.set(e);
                    tree.kill(Stop.FAILED);
                    return;
                }
                if (n == -1) {
                    return;
                }
                sink.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // The tool closed its stdin or died; its exit code and stderr tell why.
        }
    }

    /** A tool's process and, once killed, every process of its tree, so that their end can be awaited. */
    private static final class Tree {
        final Process process;
        final AtomicReference<Stop> stop = new AtomicReference<>();
        private final List<ProcessHandle> killed = new CopyOnWriteArrayList<>();

        Tree(Process process) {
            this.process = process;
        }

        /**
         * Kills the process and everything it started, children first: killed first, the process's children would
         * be handed to init and could no longer be found. Repeated because a child may fork while its siblings die.
         */
        void kill(Stop reason) {
            stop.compareAndSet(null, reason);
            for (int round = 0; round < 3; round++) {
                List<ProcessHandle> descendants = process.descendants().toList();
                if (descendants.isEmpty()) {
                    break;
                }
                killed.addAll(descendants);
                descendants.forEach(ProcessHandle::destroyForcibly);
            }
            process.destroyForcibly();
        }

        /**
         * Waits (bounded) until the process and every killed descendant are gone (reaped, not merely signalled), so
         * that a caller who sees the call return sees no tool left; and until stderr is drained.
         */
        void reap(Thread stderrReader) {
            long deadline = System.nanoTime() + REAP_WAIT.toNanos();
            try {
                process.waitFor(REAP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                for (ProcessHandle handle : killed) {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        handle.onExit().get(left, TimeUnit.NANOSECONDS);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    stderrReader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Bounded on purpose: a process that will not die must not hang the job that ran it.
            }
        }
    }

    private static void joinBriefly(Thread thread) throws InterruptedException {
        if (thread != null) {
            thread.join(REAP_WAIT.toMillis());
        }
    }

    private static Thread daemon(String name, Runnable work) {
        Thread thread = new Thread(work, "custos " + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static ScheduledExecutorService timeoutScheduler() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, work -> {
            Thread thread = new Thread(work, "custos command timeouts");
            thread.setDaemon(true);
            return thread;
        });
        // Most runs finish before their timeout; cancelled timers must not pile up in the queue.
        scheduler.setRemoveOnCancelPolicy(true);
        return Executors.unconfigurableScheduledExecutorService(scheduler);
    }
}
