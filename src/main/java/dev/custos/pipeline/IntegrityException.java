package dev.custos.pipeline;

import java.io.IOException;

/**
 * A stored object is not what was written: its size or SHA-256 differ from the recorded ones, its compressed or
 * encrypted stream is corrupt or cut short, or it cannot be decrypted with its key. Never transient: reading again
 * gives the same answer, so it is not retried.
 */
public class IntegrityException extends IOException {

    private final boolean decryptionFailed;

    public IntegrityException(String message) {
        this(message, false, null);
    }

    public IntegrityException(String message, boolean decryptionFailed, Throwable cause) {
        super(message, cause);
        this.decryptionFailed = decryptionFailed;
    }

    /** Whether the object could not be decrypted (wrong or missing key, altered ciphertext). */
    public boolean decryptionFailed() {
        return decryptionFailed;
    }
}
