package dev.custos.backups;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.custos.connectors.Cancellation;

/** A job running in this process: how to stop it, why it was stopped, and how far it got. */
final class RunningJob {

    /** Why a job was stopped before it finished; decides its final status and message. */
    enum Stop {
        CANCELLED, TIMEOUT, SHUTDOWN, LEASE_LOST
    }

    private final String id;
    private final long startedAt;
    private final Cancellation cancellation = new Cancellation();
    private final AtomicReference<Stop> stop = new AtomicReference<>();
    private final AtomicLong rawBytes = new AtomicLong();
    private final AtomicInteger beats = new AtomicInteger();

    RunningJob(String id, long startedAt) {
        this.id = id;
        this.startedAt = startedAt;
    }

    String id() {
        return id;
    }

    long startedAt() {
        return startedAt;
    }

    Cancellation cancellation() {
        return cancellation;
    }

    /** The first reason wins: a job cancelled by a user and then caught by the shutdown stays cancelled. */
    void stop(Stop reason) {
        stop.compareAndSet(null, reason);
        cancellation.cancel();
    }

    Stop stopReason() {
        return stop.get();
    }

    long rawBytes() {
        return rawBytes.get();
    }

    void progress(long bytes) {
        rawBytes.set(bytes);
    }

    int beat() {
        return beats.incrementAndGet();
    }
}
