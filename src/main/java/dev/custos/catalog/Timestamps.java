package dev.custos.catalog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The catalog keeps times as epoch milliseconds (one type that sorts and compares the same in SQLite and
 * PostgreSQL); the API shows them as the spec does: {@code 2024-01-15T12:00:00.000Z}.
 */
public final class Timestamps {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static String format(Instant instant) {
        return instant == null ? null : FORMAT.format(instant);
    }

    public static long toMillis(Instant instant) {
        return instant.toEpochMilli();
    }

    public static Instant fromMillis(long millis) {
        return Instant.ofEpochMilli(millis);
    }
}
