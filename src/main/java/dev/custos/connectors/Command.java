package dev.custos.connectors;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An external tool to run: its argv, the extra environment it gets on top of Custos's own, what it reads on stdin,
 * how long it may take and who hears each of its stderr lines. Secrets belong in {@code environment} (or in a file
 * whose path is in argv), never in {@code argv}: any local user can read a process's argv.
 *
 * @param stdin       streamed to the tool's stdin, then closed; null to close the tool's stdin at once
 * @param timeout     null for none; when it passes the tool's process tree is killed
 * @param stderrLines hears every stderr line as it arrives (on another thread); null for nobody
 */
public record Command(
        List<String> argv, Map<String, String> environment, InputStream stdin, Duration timeout,
        Consumer<String> stderrLines) {

    public Command {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must name the program");
        }
        environment = Map.copyOf(environment);
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    public static Command of(List<String> argv) {
        return new Command(argv, Map.of(), null, null, null);
    }

    public static Command of(String... argv) {
        return of(List.of(argv));
    }

    public Command withEnvironment(Map<String, String> environment) {
        return new Command(argv, environment, stdin, timeout, stderrLines);
    }

    public Command withStdin(InputStream stdin) {
        return new Command(argv, environment, stdin, timeout, stderrLines);
    }

    public Command withTimeout(Duration timeout) {
        return new Command(argv, environment, stdin, timeout, stderrLines);
    }

    public Command withStderrLines(Consumer<String> stderrLines) {
        return new Command(argv, environment, stdin, timeout, stderrLines);
    }

    /** The program's file name, for messages: "pg_dump", not "/usr/lib/postgresql/15/bin/pg_dump". */
    public String programName() {
        String program = argv.get(0);
        return program.substring(program.lastIndexOf('/') + 1);
    }

    /** Names the environment variables but never prints their values: they hold passwords. */
    @Override
    public String toString() {
        return "Command[argv=" + argv + ", environment=" + environment.keySet().stream().sorted().toList()
                + ", stdin=" + (stdin != null) + ", timeout=" + timeout + "]";
    }
}
