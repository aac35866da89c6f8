package dev.custos.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * Custos in a child JVM, for what a test cannot do to its own process: {@code kill -9} it, run it with a small heap,
 * or run two of them side by side. It runs the main classes and dependencies only (test classes stay off its class
 * path) on the embedded default in the given data directory, unless the arguments say otherwise; output goes to
 * {@code custos-<port>.log} there, so several processes can share one data directory (and its master key).
 */
public final class CustosProcess implements AutoCloseable {

    /** How much of the log a failed start-up shows: enough for a stack trace's head and what led to it. */
    private static final int LOG_TAIL_LINES = 60;

    private final Process process;
    private final int port;
    private final Path log;

    private CustosProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static CustosProcess start(Path dataDir, List<String> jvmOptions) throws IOException {
        return start(dataDir, jvmOptions, List.of());
    }

    /**
     * Starts Custos and waits until {@code /api/health} answers.
     *
     * @param arguments Spring properties as program arguments ({@code --custos.catalog.url=...}); one named here
     *                  replaces this class's default for it (Spring would join two values of one argument with a
     *                  comma)
     * @throws IllegalStateException when it does not come up: the process is killed first, and the message carries
     *                               the tail of its log
     */
    public static CustosProcess start(Path dataDir, List<String> jvmOptions, List<String> arguments) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        Map<String, String> properties = new LinkedHashMap<>();
        for (String argument : List.of("--server.port=" + port, "--custos.data-dir=" + dataDir,
                "--custos.backups.heartbeat-interval=300ms", "--custos.backups.lease-timeout=10s",
                "--custos.backups.poll-interval=200ms", "--spring.main.banner-mode=off",
                "--custos.security.auth=none")) {
            properties.put(name(argument), argument);
        }
        for (String argument : arguments) {
            if (name(argument).equals("--server.port")) {
                throw new IllegalArgumentException("CustosProcess picks the port itself");
            }
            properties.put(name(argument), argument);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, "dev.custos.app.CustosApplication"));
        command.addAll(properties.values());
        Files.createDirectories(dataDir);
        Path log = dataDir.resolve("custos-" + port + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        CustosProcess custos = new CustosProcess(process, port, log);
        Api api = custos.api();
        try {
            Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .failFast("Custos exited", () -> !process.isAlive())
                    .ignoreExceptions()
                    .until(() -> api.get("/api/health").status() == 200);
        } catch (RuntimeException | Error e) {
            // A half-started Custos must not outlive the test: it would hold its port, its catalog and its files.
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Custos on port " + port + " did not start ("
                    + (process.isAlive() ? "still running" : "exit code " + process.exitValue()) + ": " + e.getMessage()
                    + "). The last lines of " + log + ":\n" + tail(log), e);
        }
        return custos;
    }

    /** The option's name: "--a.b=c" → "--a.b". */
    private static String name(String argument) {
        int eq = argument.indexOf('=');
        return eq < 0 ? argument : argument.substring(0, eq);
    }

    private static String tail(Path log) {
        try {
            // Not readAllLines: a process killed mid-write can leave half a character, which must not hide the rest.
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }

    public Api api() {
        return new Api(port);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** SIGKILL: no shutdown hook, no finally block, nothing of Custos runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            kill();
        }
    }
}
