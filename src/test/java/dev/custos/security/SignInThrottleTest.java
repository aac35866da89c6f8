package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.custos.support.SettableClock;

class SignInThrottleTest {

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final SignInThrottle throttle = new SignInThrottle(new LockoutProperties(2, 4, 6, Duration.ofMinutes(15)),
            clock);

    @Test
    void anAccountIsSlowedDownThenLockedOutThenForgiven() {
        assertThat(throttle.failed("10.0.0.1", "alice")).isNull();
        assertThat(throttle.check("10.0.0.1", "alice").allowed()).isTrue();
        assertThat(throttle.failed("10.0.0.1", "alice")).isNull();

        SignInThrottle.Verdict slowed = throttle.check("10.0.0.2", "Alice");
        assertThat(slowed.allowed()).isFalse();
        assertThat(slowed.retryAfterSeconds()).isEqualTo(1);
        assertThat(slowed.reason()).contains("for the account 'Alice'").contains("slowed down");
        assertThat(throttle.check("10.0.0.2", "bob").allowed()).isTrue();

        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.check("10.0.0.2", "alice").allowed()).isTrue();
        assertThat(throttle.failed("10.0.0.2", "alice")).isNull();
        assertThat(throttle.check("10.0.0.2", "alice").retryAfterSeconds()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(2));
        assertThat(throttle.failed("10.0.0.3", "alice")).isEqualTo("the account 'alice'");

        SignInThrottle.Verdict locked = throttle.check("10.0.0.9", "alice");
        assertThat(locked.allowed()).isFalse();
        assertThat(locked.reason()).contains("locked out");
        assertThat(locked.retryAfterSeconds()).isEqualTo(15 * 60);

        clock.advance(Duration.ofMinutes(15));
        assertThat(throttle.check("10.0.0.9", "alice").allowed()).isTrue();
        assertThat(throttle.failed("10.0.0.9", "alice")).isNull();
        assertThat(throttle.check("10.0.0.9", "alice").allowed()).isTrue();
    }

    @Test
    void aSuccessClearsTheAccountButNotTheAddress() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("10.0.0.1", "user" + i);
        }
        throttle.failed("10.0.0.1", "carol");
        throttle.failed("10.0.0.1", "carol");
        assertThat(throttle.check("10.0.0.2", "carol").allowed()).as("carol is slowed").isFalse();

        throttle.succeeded("carol");

        // Six failures from the address (over six accounts) locked it: the success cleared carol's count only.
        SignInThrottle.Verdict v = throttle.check("10.0.0.1", "carol");
        assertThat(v.allowed()).isFalse();
        assertThat(v.reason()).contains("from 10.0.0.1");
        assertThat(throttle.check("10.0.0.2", "carol").allowed()).isTrue();
    }

    @Test
    void anAddressIsNotSlowedOnlyLockedOut() {
        for (int i = 0; i < 5; i++) {
            assertThat(throttle.failed("10.0.0.1", null)).isNull();
            assertThat(throttle.check("10.0.0.1", null).allowed()).isTrue();
        }
        assertThat(throttle.failed("10.0.0.1", null)).isEqualTo("the address 10.0.0.1");
        assertThat(throttle.check("10.0.0.1", null).allowed()).isFalse();
    }

    @Test
    void anIpv6HostIsCountedWithItsWholeSlash64() {
        assertThat(SignInThrottle.ipKey("2001:db8:1:2:aaaa::1")).isEqualTo(SignInThrottle.ipKey("2001:db8:1:2:ffff::9"));
        assertThat(SignInThrottle.ipKey("2001:db8:1:2::1")).isNotEqualTo(SignInThrottle.ipKey("2001:db8:1:3::1"));
        assertThat(SignInThrottle.ipKey("192.0.2.1")).isEqualTo("ip:192.0.2.1");
    }

    @Test
    void parallelChecksOfOneAccountAreBoundedByItsFailuresLeft() throws Exception {
        // slow-after 2: two checks at once while no failure is counted, one after the first.
        assertThat(throttle.enter("erin")).isNull();
        assertThat(throttle.enter("erin")).isNull();
        SignInThrottle.Verdict third = throttle.enter("erin");
        assertThat(third).isNotNull();
        assertThat(third.reason()).contains("2 at a time");
        throttle.leave("erin");
        throttle.leave("erin");
        throttle.failed("10.0.0.1", "erin");

        assertThat(throttle.enter("erin")).isNull();
        assertThat(throttle.enter("erin")).isNotNull();
        throttle.leave("erin");

        // Many threads at once: never more than one check in flight, and every slot given back.
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            all.add(pool.submit(() -> {
                if (throttle.enter("erin") == null) {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    inside.decrementAndGet();
                    throttle.leave("erin");
                }
            }));
        }
        for (java.util.concurrent.Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
        assertThat(most.get()).isEqualTo(1);
        assertThat(throttle.enter("erin")).isNull();
    }

    @Test
    void aFullTableStillCountsNewFailures() {
        for (int i = 0; i < SignInThrottle.MAX_TRACKED; i++) {
            throttle.failed("10.1." + (i / 250) + "." + (i % 250), null);
        }
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(60));
            throttle.failed("10.9.9.9", "admin");
        }

        assertThat(throttle.check("10.9.9.8", "admin").reason()).contains("locked out");
    }

    @Test
    void failuresAreForgottenAfterTheDuration() {
        throttle.failed("10.0.0.1", "dave");
        throttle.failed("10.0.0.1", "dave");
        clock.advance(Duration.ofMinutes(15));

        assertThat(throttle.check("10.0.0.1", "dave").allowed()).isTrue();
        assertThat(throttle.failed("10.0.0.1", "dave")).isNull();
        assertThat(throttle.check("10.0.0.1", "dave").allowed()).isTrue();
    }
}
