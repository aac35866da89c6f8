package dev.custos.connectors;

import java.io.IOException;
import java.time.Duration;

/** A tool that ran longer than its command allowed; its process tree has been killed. */
public class CommandTimeoutException extends IOException {

    private final String stderrTail;

    public CommandTimeoutException(String program, Duration timeout, String stderrTail) {
        super(program + " did not finish within " + timeout.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                + " and was stopped");
        this.stderrTail = stderrTail;
    }

    /** What the tool had written to stderr before it was stopped. */
    public String stderrTail() {
        return stderrTail;
    }
}
