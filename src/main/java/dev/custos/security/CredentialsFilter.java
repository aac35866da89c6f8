package dev.custos.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The first look at a request's credentials, before Basic and OIDC see them: refuses an attempt its account or
 * address may not make yet ({@link SignInThrottle}, a 429 with {@code Retry-After}), and signs in a request that
 * presents an API key ({@code Authorization: Bearer custos_…}).
 */
class CredentialsFilter extends OncePerRequestFilter {

    private final SignInThrottle throttle;
    private final ApiKeyService keys;
    private final SecurityErrors errors;

    CredentialsFilter(SignInThrottle throttle, ApiKeyService keys, SecurityErrors errors) {
        this.throttle = throttle;
        this.keys = keys;
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String authorization = request.getHeader("Authorization");
        if (authorization == null) {
            chain.doFilter(request, response);
            return;
        }
        String username = basicUsername(authorization);
        SignInThrottle.Verdict verdict = throttle.check(request.getRemoteAddr(), username);
        if (!verdict.allowed()) {
            errors.tooManyAttempts(response, verdict);
            return;
        }

        String key = apiKey(authorization);
        if (key != null) {
            ApiKeyService.Outcome outcome = keys.authenticate(key, request.getRemoteAddr());
            if (outcome.signedIn() == null) {
                SecurityContextHolder.clearContext();
                errors.unauthorized(request, response, new ApiKeyRefusal(outcome));
                return;
            }
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(outcome.signedIn(), null,
                    List.of()));
            SecurityContextHolder.setContext(context);
        }
        chain.doFilter(request, response);
    }

    /** The key of {@code Bearer custos_…}, or null for any other credentials. */
    static String apiKey(String authorization) {
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            return token.startsWith(ApiKeyService.PREFIX) ? token : null;
        }
        return null;
    }

    /** The username of {@code Basic …}, or null when the header is something else or does not decode. */
    static String basicUsername(String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
