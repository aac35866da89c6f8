package dev.custos.jobs;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.custos.connectors.Cancellation;

/** A job running in this process: how to stop it, why it was stopped, and how far it got. */
public final class RunningJob {

    /** Why a job was stopped before it finished; decides its final status and message. */
    public enum Stop {
        CANCELLED, TIMEOUT, SHUTDOWN, LEASE_LOST
    }

    private final String id;
    private final long startedAt;
    private final Cancellation cancellation = new Cancellation();
    private final AtomicReference<Stop> stop = new AtomicReference<>();
    private final AtomicLong rawBytes = new AtomicLong();
    private final AtomicInteger beats = new AtomicInteger();

    public RunningJob(String id, long startedAt) {
        this.id = id;
        this.startedAt = startedAt;
    }

    public String id() {
        return id;
    }

    public long startedAt() {
        return startedAt;
    }

    public Cancellation cancellation() {
        return cancellation;
    }

    /** The first reason wins: a job cancelled by a user and then caught by the shutdown stays cancelled. */
    public void stop(Stop reason) {
        stop.compareAndSet(null, reason);
        cancellation.cancel();
    }

    public Stop stopReason() {
        return stop.get();
    }

    public long rawBytes() {
        return rawBytes.get();
    }

    public void progress(long bytes) {
        rawBytes.set(bytes);
    }

    public int beat() {
        return beats.incrementAndGet();
    }
}
