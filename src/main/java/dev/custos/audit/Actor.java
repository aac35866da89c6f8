package dev.custos.audit;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who a request acts as, as the audit trail and the request log name them. Authentication puts it on the request;
 * a request without one is {@code anonymous} (authentication off), and work outside a request is {@code system}.
 *
 * @param userId the user's id, the API key's id, or an OIDC token's subject
 * @param email  the user's email, when known
 * @param type   {@code user}, {@code api_key}, {@code oidc}, {@code anonymous} or {@code system}
 */
public record Actor(String userId, String email, String type) {

    /** The request attribute authentication sets. */
    public static final String ATTRIBUTE = Actor.class.getName();

    static final Actor ANONYMOUS = new Actor(AuditLog.ANONYMOUS, null, "anonymous");

    static final Actor SYSTEM = new Actor(AuditLog.SYSTEM, null, "system");


    /** The actor of {@code request}: the authenticated one, or anonymous. */
    static Actor of(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Actor a ? a : ANONYMOUS;
    }
}
