package dev.custos.policies;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One GFS tier of a policy. Which schedule fields a tier has depends on its kind (hourly: interval_hours;
 * daily: time; weekly: + day_of_week, 0 = Sunday; monthly: + day_of_month; yearly: + month); the others are
 * null and left out of the JSON, as in the spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Tier(
        boolean enabled,
        int keepCount,
        Integer intervalHours,
        String time,
        Integer dayOfWeek,
        Integer dayOfMonth,
        Integer month) {
}
