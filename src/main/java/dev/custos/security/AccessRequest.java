package dev.custos.security;

import java.time.Instant;

/**
 * A request for a role, as the API shows it.
 *
 * @param requesterId   the identity asking: a user's id, or an OIDC token's subject
 * @param requesterKind {@code user} or {@code oidc}
 * @param currentRole   the role the identity had when it asked, or null for none
 * @param status        {@code pending}, {@code approved} or {@code rejected}
 */
public record AccessRequest(String id, String requesterId, String requesterKind, String username, String email,
        String currentRole, String requestedRole, String reason, String status, Instant createdAt, Instant decidedAt,
        String decidedBy, String grantedRole, String rejectionReason) {
}
