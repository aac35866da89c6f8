package dev.custos.connectors;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What the dump tests of every connector share: a recording log, an output that holds a dump still, /proc. */
public final class DumpTestSupport {

    private DumpTestSupport() {
    }

    /** A DumpLog that keeps "level: message" lines. */
    public static final class RecordingLog implements DumpLog {
        private final List<String> steps = new CopyOnWriteArrayList<>();

        @Override
        public void step(String level, String message) {
            steps.add(level + ": " + message);
        }

        public List<String> steps() {
            return List.copyOf(steps);
        }
    }

    /**
     * An output whose first write waits until the test opens the gate, so the tool is held mid-dump (blocked on a
     * full pipe) for as long as the test needs to look at it, cancel it or pull the database from under it.
     */
    public static final class GatedOutput extends OutputStream {
        private final CountDownLatch firstWrite = new CountDownLatch(1);
        private final CountDownLatch gate = new CountDownLatch(1);
        private final OutputStream target;
        private volatile long bytes;

        public GatedOutput() {
            this(OutputStream.nullOutputStream());
        }

        public GatedOutput(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            firstWrite.countDown();
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            target.write(b, off, len);
            bytes += len;
        }

        /** Waits until the dump has produced its first bytes and is held. */
        public void awaitFirstWrite() throws InterruptedException {
            if (!firstWrite.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the dump wrote nothing within 60 s");
            }
        }

        public void open() {
            gate.countDown();
        }

        public long bytes() {
            return bytes;
        }
    }

    /** The live process of this JVM's tree whose program file is named {@code program}, if there is one. */
    public static Optional<ProcessHandle> liveTool(String program) {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().command().map(command -> command.endsWith("/" + program)).orElse(false))
                .findFirst();
    }

    /** A process's argv as the kernel shows it to every local user. */
    public static List<String> cmdline(ProcessHandle process) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
        return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }

    /** A process's environment, readable by its owner (and root) only. */
    public static List<String> environ(ProcessHandle process) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "environ"));
        return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }
}
