package dev.custos.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock tests move by hand (schedules, retention, expiry), in milliseconds like the catalog. Shared by every
 * thread of a service, so moving it moves the whole service's time at once.
 */
public final class SettableClock extends Clock {

    private final AtomicReference<Instant> now;

    public SettableClock(Instant start) {
        this.now = new AtomicReference<>(start.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    public void set(Instant instant) {
        now.set(instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    public Instant advance(Duration by) {
        return now.updateAndGet(t -> t.plus(by).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a settable clock stays in UTC");
    }
}
