package dev.custos.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * Custos in a child JVM, for what a test cannot do to its own process: {@code kill -9} it, or run it with a small
 * heap. It runs the main classes and dependencies only (test classes stay off its class path) on the embedded
 * default in the given data directory; output goes to {@code custos.log} there.
 */
public final class CustosProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private CustosProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static CustosProcess start(Path dataDir, List<String> jvmOptions) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, "dev.custos.app.CustosApplication",
                "--server.port=" + port, "--custos.data-dir=" + dataDir,
                "--custos.backups.heartbeat-interval=300ms", "--custos.backups.lease-timeout=10s",
                "--custos.backups.poll-interval=200ms", "--spring.main.banner-mode=off"));
        Path log = dataDir.resolve("custos.log");
        dataDir.toFile().mkdirs();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        CustosProcess custos = new CustosProcess(process, port, log);
        Api api = custos.api();
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .failFast("Custos exited; see " + log, () -> !process.isAlive())
                .ignoreExceptions()
                .until(() -> api.get("/api/health").status() == 200);
        return custos;
    }

    public Api api() {
        return new Api(port);
    }

    public long pid() {
        return process.pid();
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
