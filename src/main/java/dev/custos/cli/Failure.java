package dev.custos.cli;

import dev.custos.pipeline.IntegrityException;

/**
 * A command that cannot do what it was asked, with what the user reads. The exit codes are a contract for scripts:
 * 0 done, 1 failed (the reason on stderr), 2 the backup file is not what was written (size, SHA-256 or
 * authentication failed), 64 the command line is wrong.
 */
final class Failure extends RuntimeException {

    static final int FAILED = 1;
    static final int INTEGRITY = 2;
    static final int USAGE = 64;

    private final int exitCode;

    Failure(String message) {
        this(message, FAILED);
    }

    Failure(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** A damaged file is exit 2 wherever it was noticed, also inside a tool's failure that it caused. */
    static int exitCode(Throwable e) {
        if (e instanceof Failure failure) {
            return failure.exitCode;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IntegrityException) {
                return INTEGRITY;
            }
        }
        return FAILED;
    }

    static String describe(Throwable e) {
        if (e instanceof IntegrityException) {
            return "the backup file failed verification: " + e.getMessage();
        }
        if (e instanceof Failure || e.getMessage() != null && !(e instanceof NullPointerException)) {
            return e.getMessage();
        }
        return e.toString();
    }
}
