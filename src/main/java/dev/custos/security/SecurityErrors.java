package dev.custos.security;

import java.io.IOException;
import java.util.Map;
import java.util.TreeSet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;

import dev.custos.security.UserService.SignIn;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The refusals of the API, answered as its other errors are ({@code {"error": "..."}}) and, where credentials were
 * presented, recorded as security events and counted by the throttle. The caller learns that its credentials were
 * refused; only the event says why (an unknown user or a wrong password, say), for admins.
 */
class SecurityErrors {

    private final JsonMapper json;
    private final SecurityEvents events;
    private final SignInThrottle throttle;
    private final boolean oidc;

    /** {@code oidc}: whether OIDC bearer tokens are accepted, so that a 401 offers them too. */
    SecurityErrors(JsonMapper json, SecurityEvents events, SignInThrottle throttle, boolean oidc) {
        this.json = json;
        this.events = events;
        this.throttle = throttle;
        this.oidc = oidc;
    }

    /** Too many password checks for one account at once: answered 429, not counted, not recorded. */
    static final class Busy extends AuthenticationException {

        private final transient SignInThrottle.Verdict verdict;

        Busy(SignInThrottle.Verdict verdict) {
            super(verdict.reason());
            this.verdict = verdict;
        }
    }

    /** 401: no credentials, or credentials refused (a security event, and a failure the throttle counts). */
    void unauthorized(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        if (e instanceof Busy busy) {
            tooManyAttempts(response, busy.verdict);
            return;
        }
        String authorization = request.getHeader("Authorization");
        if (authorization == null) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"Custos\", charset=\"UTF-8\"");
            if (oidc) {
                response.addHeader("WWW-Authenticate", "Bearer realm=\"Custos\"");
            }
            write(response, HttpServletResponse.SC_UNAUTHORIZED, "Authentication required: sign in with a username"
                    + " and password (HTTP Basic), or send an API key" + (oidc ? " or a token from the OIDC provider" : "")
                    + " as Authorization: Bearer");
            return;
        }
        String ip = request.getRemoteAddr();
        String message;
        String username = null;
        String shown = null;
        boolean guess = true;
        if (e instanceof ApiKeyRefusal r) {
            ApiKey k = r.key();
            events.record(request, r.type(), k == null ? prefixOf(CredentialsFilter.apiKey(authorization)) : k.prefix(),
                    k == null ? null : k.ownerId(), k == null ? null : k.id(), r.getMessage());
            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            message = r.getMessage();
            // A revoked or expired key is a script not updated yet, not a guess: only unknown keys count.
            guess = r.type().equals("api_key_invalid") && k == null;
        } else if (e instanceof OAuth2AuthenticationException || authorization.regionMatches(true, 0, "Bearer", 0, 6)) {
            // A token was refused: say why (OidcDecoder's words), as RFC 6750 asks, in the header and the body.
            String reason = e instanceof OAuth2AuthenticationException o && o.getError().getDescription() != null
                    ? o.getError().getDescription() : "not a token this server accepts";
            String code = e instanceof OAuth2AuthenticationException o ? o.getError().getErrorCode() : "invalid_token";
            events.record(request, reason.startsWith("expired") ? "token_expired" : "token_invalid", null, null, null,
                    reason);
            // An expired token is a client that has not refreshed yet, and an unreachable provider nobody's fault.
            guess = !(e.getCause() instanceof OidcDecoder.NotAGuess);
            response.setHeader("WWW-Authenticate", "Bearer error=\"" + code + "\", error_description=\""
                    + reason.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "?") + "\"");
            message = "Invalid bearer token: " + reason;
        } else {
            username = CredentialsFilter.basicUsername(authorization);
            // A name that is no user's may be a password typed into the wrong field: it is not kept.
            shown = SignIn.UNKNOWN_USER.equals(e.getMessage()) || username == null ? null : username;
            events.record(request, "sign_in_failed", shown == null ? "(unknown user)" : shown, null, null,
                    e.getMessage());
            response.setHeader("WWW-Authenticate", "Basic realm=\"Custos\", charset=\"UTF-8\"");
            message = "Wrong username or password";
        }
        String locked = guess ? throttle.failed(ip, username) : null;
        if (locked != null) {
            events.record(request, "sign_in_locked", shown, null, null, "Locked out "
                    + (username == null || shown != null ? locked : "an account that is no user's") + " after repeated"
                    + " failures");
        }
        write(response, HttpServletResponse.SC_UNAUTHORIZED, message);
    }

    /** 403: signed in, but the role (or the key's scopes) does not allow the call; a security event too. */
    AccessDeniedHandler forbidden() {
        return (request, response, e) -> {
            SignedIn s = SignedIn.current();
            String call = request.getMethod() + " " + request.getRequestURI();
            String message;
            if (s == null) {
                message = "Forbidden: anonymous may not " + call;
            } else if (s.role() == null) {
                message = "Forbidden: " + s.username() + " has no role yet; ask for access with POST"
                        + " /api/access-requests";
            } else if (s.scopes() != null) {
                message = "Forbidden: this API key (scopes " + String.join(", ", new TreeSet<>(s.scopes()))
                        + "; owner's role " + s.roleName() + ") may not " + call;
            } else {
                message = "Forbidden: the role " + s.roleName() + " may not " + call;
            }
            if (s != null) {
                events.record(request, "access_denied", s.username(), s.user() == null ? null : s.user().id(),
                        s.kind().equals("api_key") ? s.actorId() : null, message);
            }
            write(response, HttpServletResponse.SC_FORBIDDEN, message);
        };
    }

    /**
     * 403 for a change a browser sent from another site: what a cross-site request forgery looks like, so a security
     * event too (naming the Basic username the browser sent along, if any).
     */
    void crossSite(HttpServletRequest request, HttpServletResponse response, String message) throws IOException {
        String authorization = request.getHeader("Authorization");
        events.record(request, "access_denied", null, null, null, message);
        write(response, HttpServletResponse.SC_FORBIDDEN, message);
    }

    /** 429: the account or address must wait before its credentials are checked again. */
    void tooManyAttempts(HttpServletResponse response, SignInThrottle.Verdict verdict) throws IOException {
        response.setHeader("Retry-After", String.valueOf(verdict.retryAfterSeconds()));
        write(response, 429, verdict.reason() + "; try again in " + verdict.retryAfterSeconds() + " s");
    }

    void write(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(json.writeValueAsString(Map.of("error", message)));
    }

    /** What a security event names an unknown key by: its first characters, never all of it. */
    private static String prefixOf(String key) {
        return key == null ? null : key.substring(0, Math.min(key.length(), ApiKeyService.PREFIX.length() + 6)) + "…";
    }
}
