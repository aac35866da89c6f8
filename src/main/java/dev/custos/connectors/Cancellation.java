package dev.custos.connectors;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cancel signal shared by a job and the work it runs. Whoever runs something that can be stopped (a dump
 * process, a copy loop) registers how to stop it; {@link #cancel} runs every registered action once, including
 * those registered after the cancel.
 */
public final class Cancellation {

    private final List<Runnable> actions = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    public static Cancellation none() {
        return new Cancellation();
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public void cancel() {
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
        }
        actions.forEach(Runnable::run);
    }

    /** Runs the action on cancel, or at once if already cancelled. Returns a handle that unregisters it. */
    public Runnable onCancel(Runnable action) {
        boolean runNow;
        synchronized (this) {
            runNow = cancelled;
            if (!runNow) {
                actions.add(action);
            }
        }
        if (runNow) {
            action.run();
        }
        return () -> actions.remove(action);
    }

    /** Thrown by work that stopped because it was cancelled, so callers can tell it from a failure. */
    public static final class CancelledException extends RuntimeException {
        public CancelledException() {
            super("cancelled");
        }
    }
}
