package dev.custos.connectors;

import java.time.Duration;

/**
 * How a tool run ended.
 *
 * @param exitCode    the tool's exit status; the runner does not judge it
 * @param stderrTail  the last lines of stderr (bounded, see {@link ProcessCommandRunner}), lines joined by '\n'
 * @param elapsed     from start to exit
 * @param stdoutBytes bytes copied from the tool's stdout
 */
public record CommandResult(int exitCode, String stderrTail, Duration elapsed, long stdoutBytes) {

    public boolean succeeded() {
        return exitCode == 0;
    }
}
