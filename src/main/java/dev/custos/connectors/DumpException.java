package dev.custos.connectors;

/**
 * A dump that did not complete. The message is what a user reads in the backup's {@code error_message}: what
 * failed and the tail of the tool's stderr, passwords redacted.
 */
public class DumpException extends RuntimeException {

    public DumpException(String message) {
        super(message);
    }

    public DumpException(String message, Throwable cause) {
        super(message, cause);
    }
}
