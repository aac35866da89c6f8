package dev.custos.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine;

/**
 * The disaster tools in the server's jar: {@code java -jar custos.jar <command> …}. They work with the server stopped
 * and the catalog lost: {@code decrypt} and {@code restore-file} need a backup file, its manifest and the master key;
 * {@code catalog rebuild} recreates the backup history from the manifests in storage. Options of the form
 * {@code --name=value} before the command are settings, as the server takes them ({@code --custos.data-dir=/srv/custos}).
 */
public final class Cli {

    static final String LOGGING_CONFIG = "classpath:custos-cli-logback.xml";

    private Cli() {
    }

    /**
     * Whether the arguments ask for a command rather than the server: any word that is not an option (a command, or a
     * mistyped one, which picocli then reports), or a request for help. The server takes only {@code --name=value}
     * settings, so nothing the server accepts is taken for a command.
     */
    public static boolean isCommand(String[] args) {
        return Arrays.stream(args).anyMatch(arg -> !arg.startsWith("-") || Set.of("-h", "--help").contains(arg));
    }

    /** Runs the command the arguments name, with this process's streams and environment; returns its exit code. */
    public static int run(String[] args) {
        // Before any logger exists: log lines go to stderr, so that stdout carries only what a command writes (a dump
        // streamed by "decrypt --output -" must not have a log line in it).
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "custos-cli-logback.xml");
            org.slf4j.LoggerFactory.getILoggerFactory();
            // Read once by logback, now; Spring Boot would warn of it, and takes the same file as logging.config.
            System.clearProperty("logback.configurationFile");
        }
        // The file descriptor itself, not System.out: a PrintStream swallows write errors, and a dump cut short by a
        // closed pipe must not be reported as written. Anything else that prints to System.out goes to stderr.
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        System.setOut(System.err);
        Terminal terminal = new Terminal(stdout, new PrintWriter(System.err, true, StandardCharsets.UTF_8),
                System.getenv(), System.console() == null ? null : prompt -> System.console().readPassword("%s", prompt));
        try {
            return run(args, terminal);
        } finally {
            try {
                stdout.flush();
            } catch (IOException e) {
                // the reader went away after the command ended; its exit code stands
            }
        }
    }

    static int run(String[] args, Terminal terminal) {
        int command = 0;
        while (command < args.length && args[command].startsWith("--") && args[command].contains("=")) {
            command++;
        }
        List<String> settings = List.of(args).subList(0, command);
        String[] rest = Arrays.copyOfRange(args, command, args.length);
        CommandLine cli = commandLine(new Invocation(settings, terminal));
        try {
            return cli.execute(rest);
        } finally {
            cli.getOut().flush();
        }
    }

    static CommandLine commandLine(Invocation invocation) {
        CommandLine cli = new CommandLine(new CustosCommand(), new Factory(invocation));
        cli.setOut(new PrintWriter(invocation.terminal().stdout(), true, StandardCharsets.UTF_8));
        cli.setErr(invocation.terminal().err());
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                command.usage(err);
            }
            err.flush();
            return Failure.USAGE;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            PrintWriter err = command.getErr();
            err.println(command.getCommandSpec().qualifiedName() + ": " + Failure.describe(e));
            err.flush();
            return Failure.exitCode(e);
        });
        return cli;
    }

    /**
     * What a command talks to: the process's stdout (bytes, for a dump), stderr, environment and, when there is a
     * terminal, a password prompt. Tests give their own.
     */
    record Terminal(OutputStream stdout, PrintWriter err, Map<String, String> environment, PasswordPrompt console) {
    }

    @FunctionalInterface
    interface PasswordPrompt {
        char[] read(String prompt);
    }

    /** One run of a command: the settings given before it and the terminal. */
    record Invocation(List<String> settings, Terminal terminal) {
    }

    /** Gives every command the invocation. */
    private record Factory(Invocation invocation) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(Invocation.class).newInstance(invocation);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
