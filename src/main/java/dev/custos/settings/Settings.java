package dev.custos.settings;

import java.time.Instant;

/** Application settings, one row in the catalog. */
public record Settings(boolean darkMode, int defaultRetentionDays, boolean defaultCompression, Instant updatedAt) {
}
