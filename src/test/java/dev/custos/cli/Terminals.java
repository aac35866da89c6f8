package dev.custos.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A terminal a test reads back: what a command wrote to stdout (bytes) and stderr, with the environment it saw. */
final class Terminals {

    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final StringWriter stderr = new StringWriter();
    final Cli.Terminal terminal;

    Terminals(Map<String, String> environment, Cli.PasswordPrompt console) {
        this.terminal = new Cli.Terminal(stdout, new PrintWriter(stderr, true), environment, console);
    }

    Terminals() {
        this(Map.of(), null);
    }

    int run(String... args) {
        return Cli.run(args, terminal);
    }

    String out() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return stderr.toString();
    }
}
