package dev.custos.security;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Slows and then locks out repeated failed sign-ins, per account and per source address ({@link LockoutProperties}).
 * After {@code slow-after} failures for an account each attempt for it must wait 1 s, then 2, 4 … after the previous
 * failure; after {@code max-failures} its attempts are refused for {@code duration}. An address (which many users
 * may share, behind a proxy or NAT) is not slowed, only locked out after {@code ip-max-failures} failures over any
 * accounts, keys and tokens. A refused
 * attempt is not checked at all, so a locked account costs an attacker's guesses nothing and Custos no hashing. A
 * successful sign-in clears its account's count (not its address's: one valid account must not reset an attacker's
 * budget for the others). The state is in memory, per process, and bounded.
 */
@Component
class SignInThrottle {

    static final int MAX_TRACKED = 100_000;

    /** Whether an attempt may be checked now; if not, for how many seconds it must wait, and why. */
    record Verdict(boolean allowed, long retryAfterSeconds, String reason) {

        static final Verdict ALLOWED = new Verdict(true, 0, null);
    }

    private record Failures(int count, long lastAt, long lockedUntil) {
    }

    private final LockoutProperties properties;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    SignInThrottle(LockoutProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /** May an attempt from {@code ip} (for {@code username}, null for keys and tokens) be checked now? */
    Verdict check(String ip, String username) {
        long now = clock.millis();
        Verdict v = check(ipKey(ip), now, "from " + ip, false);
        if (v.allowed() && username != null) {
            v = check(userKey(username), now, "for the account '" + username + "'", true);
        }
        return v;
    }

    /**
     * Counts a failure from {@code ip} for {@code username} (null: none claimed). Returns what it locked out, for a
     * security event: null when nothing new was locked.
     */
    String failed(String ip, String username) {
        long now = clock.millis();
        String locked = null;
        if (count(ipKey(ip), now, properties.ipMaxFailures())) {
            locked = "the address " + ip;
        }
        if (username != null && count(userKey(username), now, properties.maxFailures())) {
            locked = locked == null ? "the account '" + username + "'" : locked + " and the account '" + username + "'";
        }
        return locked;
    }

    /**
     * Reserves a password check for {@code username}: at most as many run at once as the account has failures left
     * before it is slowed (at least one), so that parallel guesses cannot all be checked before the first failure is
     * counted. Only checks that hash a password reserve (a password verified lately is not checked again). Returns a
     * refusal, or null; a null return must be followed by {@link #leave}.
     */
    Verdict enter(String username) {
        String key = userKey(username);
        Failures f = failures.get(key);
        int allowed = Math.max(1, properties.slowAfter() - (f == null ? 0 : f.count()));
        boolean[] refused = {false};
        inFlight.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= allowed) {
                refused[0] = true;
                return n;
            }
            return now + 1;
        });
        return refused[0] ? new Verdict(false, 1, "Other sign-ins for the account '" + username + "' are being"
                + " checked: " + allowed + " at a time") : null;
    }

    void leave(String username) {
        inFlight.computeIfPresent(userKey(username), (k, n) -> n <= 1 ? null : n - 1);
    }

    void succeeded(String username) {
        failures.remove(userKey(username));
    }

    private Verdict check(String key, long now, String what, boolean slow) {
        Failures f = failures.get(key);
        if (f == null) {
            return Verdict.ALLOWED;
        }
        if (now - f.lastAt() >= properties.duration().toMillis() && now >= f.lockedUntil()) {
            failures.remove(key, f);
            return Verdict.ALLOWED;
        }
        if (now < f.lockedUntil()) {
            return new Verdict(false, seconds(f.lockedUntil() - now), "Too many failed sign-ins " + what
                    + ": locked out");
        }
        if (slow && f.count() >= properties.slowAfter()) {
            long wait = 1000L << Math.min(f.count() - properties.slowAfter(), 20);
            if (now < f.lastAt() + wait) {
                return new Verdict(false, seconds(f.lastAt() + wait - now), "Too many failed sign-ins " + what
                        + ": slowed down");
            }
        }
        return Verdict.ALLOWED;
    }

    /** Counts one failure under {@code key}; true when it starts a lockout. */
    private boolean count(String key, long now, int max) {
        if (failures.size() >= MAX_TRACKED && !failures.containsKey(key)) {
            forgetExpired(now);
            if (failures.size() >= MAX_TRACKED) {
                // Full of live counts (an attack from very many addresses or for very many names): the oldest make
                // room, so that a new failure is always counted.
                forgetOldest(MAX_TRACKED / 10);
            }
        }
        long forget = properties.duration().toMillis();
        boolean[] started = {false};
        failures.compute(key, (k, f) -> {
            int count = f == null || (now - f.lastAt() >= forget && now >= f.lockedUntil()) ? 1 : f.count() + 1;
            long lockedUntil = f == null ? 0 : f.lockedUntil();
            if (count >= max && now >= lockedUntil) {
                lockedUntil = now + forget;
                started[0] = true;
                count = 0;
            }
            return new Failures(count, now, lockedUntil);
        });
        return started[0];
    }

    private void forgetExpired(long now) {
        long forget = properties.duration().toMillis();
        failures.entrySet().removeIf(e -> now - e.getValue().lastAt() >= forget && now >= e.getValue().lockedUntil());
    }

    private void forgetOldest(int n) {
        failures.entrySet().stream().filter(e -> e.getValue().lockedUntil() == 0)
                .sorted(java.util.Comparator.comparingLong(e -> e.getValue().lastAt())).limit(n)
                .map(Map.Entry::getKey).toList().forEach(failures::remove);
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    /** An IPv4 address, or an IPv6 address's /64: one host or one site's network holds a whole /64. */
    static String ipKey(String ip) {
        if (ip != null && ip.indexOf(':') >= 0) {
            try {
                byte[] a = java.net.InetAddress.getByName(ip.startsWith("[") ? ip.substring(1, ip.length() - 1) : ip)
                        .getAddress();
                if (a.length == 16) {
                    return "ip:" + java.util.HexFormat.of().formatHex(a, 0, 8) + "::/64";
                }
            } catch (java.net.UnknownHostException e) {
                // Not an address after all: counted as given.
            }
        }
        return "ip:" + ip;
    }

    private static String userKey(String username) {
        return "user:" + username.trim().toLowerCase(java.util.Locale.ROOT);
    }
}
