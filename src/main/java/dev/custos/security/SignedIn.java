package dev.custos.security;

import java.util.Set;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import dev.custos.audit.Actor;

/**
 * The principal of an authenticated request, however it signed in: a user with a password, an API key, or an OIDC
 * token. What it may call is its role (the least of the rules' levels it reaches) narrowed by its scopes.
 *
 * @param kind     {@code user}, {@code api_key} or {@code oidc}: the audit trail's {@code actor_type}
 * @param actorId  what the audit trail names as the actor: the user's id, the API key's id, or the token's subject
 * @param username the user's username (for a key, its owner's)
 * @param email    the email, when known
 * @param role     the role, or null for an identity that signed in but was given no role yet (it may only ask for one)
 * @param scopes   the API key's scopes; null for users and tokens, who hold every right of their role
 * @param user     the user row behind the identity (a key's owner), when there is one
 */
record SignedIn(String kind, String actorId, String username, String email, Role role, Set<String> scopes,
        User user) {

    static SignedIn user(User u) {
        return new SignedIn("user", u.id(), u.username(), u.email(), Role.of(u.role()), null, u);
    }

    /** The role's name, or {@code none}. */
    String roleName() {
        return role == null ? "none" : role.value();
    }

    /** True when the role reaches {@code level} and the scopes (if any) include {@code scope}. */
    boolean may(AccessRules.Level level, String scope) {
        return switch (level) {
            case PUBLIC -> true;
            case SIGNED_IN -> true;
            case VIEWER, OPERATOR, ADMIN -> role != null && role.reaches(level) && Scopes.allow(scopes, scope);
        };
    }

    /** The id of the user behind the identity, or null when there is none (a token without a user of its own). */
    String actorIdOfUser() {
        return user == null ? null : user.id();
    }

    /**
     * True when {@code caller} may see and manage what belongs to others (every key, every access request): an
     * admin not narrowed by a key's scopes, or anyone while authentication is off ({@code caller} null).
     */
    static boolean actsAsAdmin(SignedIn caller) {
        return caller == null || caller.role() == Role.ADMIN && Scopes.allow(caller.scopes(), Scopes.ADMIN);
    }

    /** The principal of the current request, or null when nobody signed in (authentication off, or a public call). */
    static SignedIn current() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        return a != null && a.getPrincipal() instanceof SignedIn s ? s : null;
    }

    Actor actor() {
        return new Actor(actorId, email, kind);
    }
}
