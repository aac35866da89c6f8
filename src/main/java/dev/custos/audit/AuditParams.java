package dev.custos.audit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import dev.custos.api.ApiException;

/**
 * Validates the query parameters of the audit endpoints, collecting every problem so that one 400 names them all.
 * Nothing here ever becomes a 500: a bad date, number or value is the client's mistake.
 */
public final class AuditParams {

    private final List<String> problems = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();

    public AuditParams() {
    }

    /** Records {@code value} as missing when blank; returns it trimmed otherwise. */
    public String required(String name, String value) {
        if (value == null || value.isBlank()) {
            missing.add(name);
            return null;
        }
        return value.trim();
    }

    public static String optional(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    public String oneOf(String name, String value, List<String> allowed) {
        String v = optional(value);
        if (v != null && !allowed.contains(v)) {
            problems.add(name + " must be one of " + String.join(", ", allowed) + " (got '" + v + "')");
            return null;
        }
        return v;
    }

    Boolean bool(String name, String value) {
        String v = optional(value);
        if (v == null) {
            return null;
        }
        return switch (v) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> {
                problems.add(name + " must be true or false (got '" + v + "')");
                yield null;
            }
        };
    }

    /** An integer in {@code [min, max]}, or {@code otherwise} when not given. */
    public Integer integer(String name, String value, int min, int max, Integer otherwise) {
        Long v = number(name, value, min, max);
        return v == null ? otherwise : Integer.valueOf(v.intValue());
    }

    public Long number(String name, String value, long min, long max) {
        String v = optional(value);
        if (v == null) {
            return null;
        }
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                problems.add(name + " must be between " + min + " and " + max + " (got " + n + ")");
                return null;
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(name + " must be an integer (got '" + v + "')");
            return null;
        }
    }

    /** A day {@code 2024-01-15} (UTC); {@code endOfDay} gives the first millisecond after it. */
    Long day(String name, String value, boolean endOfDay) {
        String v = optional(value);
        if (v == null) {
            return null;
        }
        try {
            LocalDate d = LocalDate.parse(v.length() > 10 ? v.substring(0, 10) : v);
            return (endOfDay ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            problems.add(name + " must be a date like 2024-01-15 (got '" + v + "')");
            return null;
        }
    }

    /** An ISO 8601 instant ({@code 2024-01-14T17:00:00Z}, an offset, or a day taken as its UTC midnight). */
    public Long instant(String name, String value) {
        String v = optional(value);
        if (v == null) {
            return null;
        }
        try {
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            try {
                return Instant.parse(v).toEpochMilli();
            } catch (DateTimeParseException e) {
                return OffsetDateTime.parse(v).toInstant().toEpochMilli();
            }
        } catch (DateTimeParseException e) {
            problems.add(name + " must be an ISO 8601 time like 2024-01-14T17:00:00Z (got '" + v + "')");
            return null;
        }
    }

    void problem(String message) {
        problems.add(message);
    }

    /** Throws the 400 for what was found: missing parameters first (listing all required ones), then bad values. */
    public void throwIfInvalid(List<String> required) {
        if (!missing.isEmpty()) {
            throw ApiException.missingParameters(required, missing);
        }
        if (!problems.isEmpty()) {
            throw ApiException.badRequest(String.join("; ", problems));
        }
    }
}
