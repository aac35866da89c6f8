package dev.custos.security;

import java.time.Instant;

/** A user as the API shows it; the password hash never leaves the repository. */
public record User(String id, String username, String name, String email, String role, boolean disabled,
        Instant createdAt, Instant updatedAt, Instant lastLoginAt) {
}
