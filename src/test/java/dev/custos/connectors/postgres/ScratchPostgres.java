package dev.custos.connectors.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.postgresql.Driver;

/**
 * A private PostgreSQL cluster that asks for a password (scram-sha-256), started by the test: the machine's server
 * trusts every local connection, so it can neither reject a wrong password nor prove that the right one reached
 * pg_dump. Run as the postgres account when the tests run as root (initdb refuses root).
 */
final class ScratchPostgres implements AutoCloseable {

    static final String USER = "postgres";
    /** Quotes, a dollar and spaces: a password a shell or a connection string would mangle. */
    static final String PASSWORD = "scratch 'pw' \"$HOME\" x";

    private final Path directory;
    private final Path bin;
    private final int port;

    private ScratchPostgres(Path directory, Path bin, int port) {
        this.directory = directory;
        this.bin = bin;
        this.port = port;
    }

    static ScratchPostgres start() {
        Path bin = newestServerBin();
        try {
            Path directory = Files.createTempDirectory("custos-scratch-pg-");
            Path passwordFile = Files.writeString(directory.resolve("pw"), PASSWORD + "\n");
            if (runningAsRoot()) {
                UserPrincipal postgres = directory.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("postgres");
                Files.setOwner(directory, postgres);
                Files.setOwner(passwordFile, postgres);
            }
            Path data = directory.resolve("data");
            run(bin.resolve("initdb").toString(), "-D", data.toString(), "--auth=scram-sha-256", "--username=" + USER,
                    "--pwfile=" + passwordFile, "--encoding=UTF8", "--no-sync");
            int port = freePort();
            run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", directory.resolve("log").toString(), "-w",
                    "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + directory + " -c fsync=off", "start");
            return new ScratchPostgres(directory, bin, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    void execute(String database, String... statements) {
        Properties login = new Properties();
        login.setProperty("user", USER);
        login.setProperty("password", PASSWORD);
        try (Connection connection = new Driver().connect("jdbc:postgresql://127.0.0.1:" + port + "/" + database, login);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run SQL on the scratch server", e);
        }
    }

    @Override
    public void close() {
        try {
            run(bin.resolve("pg_ctl").toString(), "-D", directory.resolve("data").toString(), "-m", "immediate", "stop");
        } finally {
            try (Stream<Path> paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // A leftover temporary directory; nothing to fail a test for.
            }
        }
    }

    private static Path newestServerBin() {
        List<Path> bins = new ArrayList<>();
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(Path.of("/usr/lib/postgresql"))) {
            for (Path version : versions) {
                if (Files.isExecutable(version.resolve("bin/initdb"))) {
                    bins.add(version.resolve("bin"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no PostgreSQL server binaries under /usr/lib/postgresql", e);
        }
        return bins.stream().max(Comparator.comparing(path -> Integer.parseInt(path.getParent().getFileName().toString())))
                .orElseThrow(() -> new IllegalStateException("no initdb under /usr/lib/postgresql/*/bin"));
    }

    private static void run(String... argv) {
        List<String> command = new ArrayList<>();
        if (runningAsRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(argv));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
