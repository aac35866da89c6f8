package dev.custos.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How failed sign-ins are slowed and then locked out ({@code custos.security.lockout.*}). Failures are counted per
 * account (the username given) and per source address; a count is forgotten {@code duration} after its last failure.
 *
 * @param slowAfter      failures of one account after which each further attempt for it must wait: 1 s after the
 *                       next, then 2, 4, 8 …
 * @param maxFailures    failures of one account after which it is locked for {@code duration}
 * @param ipMaxFailures  failures from one address (over any accounts and keys) after which it is locked
 * @param duration       how long a lockout lasts, and how long a failure is remembered
 */
@ConfigurationProperties("custos.security.lockout")
public record LockoutProperties(Integer slowAfter, Integer maxFailures, Integer ipMaxFailures, Duration duration) {

    public LockoutProperties {
        slowAfter = slowAfter == null ? 3 : slowAfter;
        maxFailures = maxFailures == null ? 10 : maxFailures;
        ipMaxFailures = ipMaxFailures == null ? 50 : ipMaxFailures;
        duration = duration == null ? Duration.ofMinutes(15) : duration;
        if (slowAfter < 1 || maxFailures < slowAfter || ipMaxFailures < slowAfter) {
            throw new IllegalArgumentException("custos.security.lockout: need 1 <= slow-after <= max-failures and"
                    + " slow-after <= ip-max-failures (got " + slowAfter + ", " + maxFailures + ", " + ipMaxFailures
                    + ")");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("custos.security.lockout.duration must be positive (got " + duration + ")");
        }
    }
}
