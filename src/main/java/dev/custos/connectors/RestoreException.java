package dev.custos.connectors;

/**
 * A restore that did not complete. The message is what a user reads in the restore's {@code error_message}: what
 * failed, the tail of the tool's stderr, and what state the target was left in; passwords redacted.
 */
public class RestoreException extends RuntimeException {

    private final boolean targetTouched;

    /** @param targetTouched false when the target is known to be as it was before the restore began */
    public RestoreException(String message, boolean targetTouched) {
        this(message, targetTouched, null);
    }

    public RestoreException(String message, boolean targetTouched, Throwable cause) {
        super(message, cause);
        this.targetTouched = targetTouched;
    }

    public boolean targetTouched() {
        return targetTouched;
    }
}
