package dev.custos.api;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * The {@code start_date}/{@code end_date} filters of the history endpoints: UTC days, both inclusive, given as
 * {@code 2024-01-15} (a longer ISO timestamp counts by its day). A bad value is added to {@code problems} naming the
 * field, so one 400 can list every problem of a request.
 */
public final class UtcDays {

    private UtcDays() {
    }

    /** First millisecond of the day, or null when not given or invalid. */
    public static Long from(String value, String field, List<String> problems) {
        return day(value, field, problems).map(d -> d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()).orElse(null);
    }

    /** First millisecond after the day, or null when not given or invalid. */
    public static Long until(String value, String field, List<String> problems) {
        return day(value, field, problems).map(d -> d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli())
                .orElse(null);
    }

    private static Optional<LocalDate> day(String value, String field, List<String> problems) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(value.length() > 10 ? value.substring(0, 10) : value));
        } catch (DateTimeParseException e) {
            problems.add(field + " must be a date like 2024-01-15 (got '" + value + "')");
            return Optional.empty();
        }
    }
}
