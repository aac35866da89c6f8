package dev.custos.security;

import java.io.IOException;
import java.time.Clock;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.api.Narrowing;
import dev.custos.audit.Actor;

/**
 * Authentication and authorization of the API. With {@code custos.security.auth=required} (the default) a request
 * signs in with HTTP Basic as a user, with an API key ({@link CredentialsFilter}) or with a bearer token from the
 * configured OIDC provider ({@link OidcDecoder}, {@link OidcIdentity}), and {@link AccessRules} decides what its role
 * and scopes may call; with {@code none} everything is allowed, every request acts as {@code anonymous} and
 * credentials of any kind are ignored. Either way: no session, no stack traces, and the security headers on every
 * response. Cross-origin requests stay refused (no CORS headers are sent).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class SecurityConfig {

    /**
     * Spring Security's firewall, except that any method passes it: the API answers an unknown method with its own
     * 405, as it did before authentication existed.
     */
    @Bean
    HttpFirewall firewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setUnsafeAllowAnyHttpMethod(true);
        return firewall;
    }

    /**
     * Requests the firewall refuses before anything else sees them (an encoded slash, a path with {@code ..} or
     * {@code //}, a control character) answer like every other error, not with an empty body.
     */
    @Bean
    RequestRejectedHandler requestRejected(SecurityErrors errors) {
        return (request, response, e) -> errors.write(response, HttpServletResponse.SC_BAD_REQUEST,
                "The request was refused: " + e.getMessage());
    }

    @Bean
    SecurityErrors securityErrors(JsonMapper json, SecurityEvents events, SignInThrottle throttle,
            SecurityProperties properties) {
        return new SecurityErrors(json, events, throttle, properties.required() && properties.oidc().enabled());
    }

    /**
     * Checks OIDC bearer tokens; a bean so that it can read the provider's discovery document once Custos is up.
     * With authentication off, tokens are ignored like every other credential, and the provider is never asked.
     */
    @Bean
    OidcDecoder oidcDecoder(SecurityProperties properties, Clock clock) {
        return OidcDecoder.of(properties.required() ? properties.oidc() : SecurityProperties.Oidc.off(), clock);
    }

    /**
     * The one way to sign in with a password. As a bean it also keeps Spring Boot from making its default in-memory
     * user with a generated password.
     */
    @Bean
    AuthenticationProvider userAuthentication(UserService users, SignInThrottle throttle) {
        return new UserAuthentication(users, throttle);
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, SecurityProperties properties, SecurityErrors errors,
            SignInThrottle throttle, ApiKeyService keys, OidcDecoder oidcDecoder, AccessRequestService requests,
            Grants grants) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(h -> h
                        .contentSecurityPolicy(c -> c.policyDirectives("default-src 'none'; frame-ancestors 'none'"))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)))
                .exceptionHandling(e -> e.authenticationEntryPoint(errors::unauthorized)
                        .accessDeniedHandler(errors.forbidden()));
        // CORS, when origins are configured, comes first of all (a preflight carries no credentials), with refusals
        // answered and recorded like the API's other refusals.
        http.cors(AbstractHttpConfigurer::disable);
        if (!properties.corsAllowedOrigins().isEmpty()) {
            org.springframework.web.filter.CorsFilter cors = new org.springframework.web.filter.CorsFilter(
                    cors(properties.corsAllowedOrigins()));
            cors.setCorsProcessor(new JsonCorsRefusals(errors));
            http.addFilterBefore(cors, BearerTokenAuthenticationFilter.class);
        }
        if (!properties.required()) {
            http.authorizeHttpRequests(a -> a.anyRequest().permitAll());
            return http.build();
        }
        http.httpBasic(b -> b.realmName("Custos").authenticationEntryPoint(errors::unauthorized))
                // The provider bean signs in through the global manager; registered here too, a wrong password
                // would be hashed twice (once per manager).
                // Before every way of signing in (Spring runs the bearer token filter before Basic's), so that a
                // cross-site change or a throttled attempt is refused before any credential is checked.
                .addFilterBefore(new CrossSiteFilter(errors, properties.corsAllowedOrigins()),
                        BearerTokenAuthenticationFilter.class)
                .addFilterBefore(new CredentialsFilter(throttle, keys, errors), BearerTokenAuthenticationFilter.class)
                .addFilterAfter(new ActorFilter(grants), BasicAuthenticationFilter.class)
                // Bearer JWTs from the OIDC provider; API keys (Bearer custos_...) were signed in by CredentialsFilter.
                .oauth2ResourceServer(o -> {
                    o.bearerTokenResolver(jwtBearerTokens())
                            .jwt(j -> j.decoder(oidcDecoder)
                                    .jwtAuthenticationConverter(new OidcIdentity(properties.oidc(), requests::grantedRole)))
                            .authenticationEntryPoint(errors::unauthorized);
                    if (properties.oidc().enabled()) {
                        // RFC 9728's /.well-known/oauth-protected-resource tells clients where to get a token.
                        o.protectedResourceMetadata(m -> m.protectedResourceMetadataCustomizer(
                                b -> b.authorizationServer(properties.oidc().issuerUri())
                                        .tlsClientCertificateBoundAccessTokens(false)));
                    }
                })
                .authorizeHttpRequests(a -> {
                    for (AccessRules.Rule rule : AccessRules.RULES) {
                        var matcher = rule.method() == null ? a.requestMatchers(rule.pattern())
                                : a.requestMatchers(rule.method(), rule.pattern());
                        matcher.access((authentication, context) ->
                                new AuthorizationDecision(allowed(rule, authentication.get())));
                    }
                    a.anyRequest().denyAll();
                });
        return http.build();
    }

    /**
     * CORS for the configured origins only: their pages may call the API with an {@code Authorization} header (no
     * cookies: Custos sets none) and read the answers. Every other origin gets no CORS headers, so browsers keep
     * their pages from reading the API.
     */
    private static org.springframework.web.cors.CorsConfigurationSource cors(List<String> origins) {
        org.springframework.web.cors.CorsConfiguration c = new org.springframework.web.cors.CorsConfiguration();
        c.setAllowedOrigins(origins);
        c.setAllowedMethods(List.of("GET", "POST", "PUT", "DELETE"));
        c.setAllowedHeaders(List.of("Authorization", "Content-Type", "X-Request-Id"));
        c.setExposedHeaders(List.of("Retry-After", "X-Request-Id", "Content-Disposition"));
        c.setAllowCredentials(false);
        c.setMaxAge(600L);
        org.springframework.web.cors.UrlBasedCorsConfigurationSource source =
                new org.springframework.web.cors.UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/api/**", c);
        return source;
    }

    /** Spring's CORS checks, with a refused origin answered as JSON and recorded as a security event. */
    private static final class JsonCorsRefusals extends org.springframework.web.cors.DefaultCorsProcessor {

        private final SecurityErrors errors;

        JsonCorsRefusals(SecurityErrors errors) {
            this.errors = errors;
        }

        @Override
        public boolean processRequest(org.springframework.web.cors.CorsConfiguration config,
                HttpServletRequest request, HttpServletResponse response) throws IOException {
            boolean allowed = super.processRequest(config, request, response);
            if (!allowed) {
                errors.crossSite(request, response, "Forbidden: the origin " + request.getHeader("Origin")
                        + " is not allowed to call the API (custos.security.cors-allowed-origins)");
            }
            return allowed;
        }

        @Override
        protected void rejectRequest(org.springframework.http.server.ServerHttpResponse response) {
            // processRequest answers the refusal.
        }
    }

    /**
     * The bearer tokens that go to the OIDC check: all but Custos's own API keys ({@code custos_...}), which
     * {@link CredentialsFilter} signed in (or refused) before.
     */
    static BearerTokenResolver jwtBearerTokens() {
        DefaultBearerTokenResolver standard = new DefaultBearerTokenResolver();
        String apiKey = "Bearer " + ApiKeyService.PREFIX;
        return request -> {
            String header = request.getHeader(HttpHeaders.AUTHORIZATION);
            if (header != null && header.regionMatches(true, 0, apiKey, 0, apiKey.length())) {
                return null;
            }
            return standard.resolve(request);
        };
    }

    /** The rule's decision for the caller: its role must reach the rule's level, and its scopes the rule's scope. */
    static boolean allowed(AccessRules.Rule rule, Authentication authentication) {
        if (rule.level() == AccessRules.Level.PUBLIC) {
            return true;
        }
        return authentication != null && authentication.isAuthenticated()
                && authentication.getPrincipal() instanceof SignedIn s && s.may(rule.level(), rule.scope());
    }

    /** Checks a username and password against the users table. */
    private record UserAuthentication(UserService users, SignInThrottle throttle) implements AuthenticationProvider {

        @Override
        public Authentication authenticate(Authentication authentication) {
            Object credentials = authentication.getCredentials();
            UserService.SignIn result = users.authenticate(authentication.getName(),
                    credentials == null ? null : credentials.toString());
            if (result.busy() != null) {
                throw new SecurityErrors.Busy(result.busy());
            }
            if (result.user() == null) {
                // The reason goes to the security event; the caller is told only that it was refused.
                throw new BadCredentialsException(result.failure());
            }
            throttle.succeeded(authentication.getName());
            return UsernamePasswordAuthenticationToken.authenticated(SignedIn.user(result.user()), null, List.of());
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
        }
    }

    /**
     * Refuses changes a browser sends on behalf of another site. A browser keeps Basic credentials once a user typed
     * them and sends them with a cross-site form POST, which needs no CORS (and several endpoints act without a JSON
     * body: an upload restore, a rollback, a backup). Browsers say where a request comes from (Sec-Fetch-Site, Origin);
     * clients that are not browsers send neither and pass.
     */
    private static final class CrossSiteFilter extends OncePerRequestFilter {

        private final SecurityErrors errors;
        private final List<String> allowedOrigins;

        /** {@code allowedOrigins}: the origins CORS lets call the API; their pages' changes pass. */
        CrossSiteFilter(SecurityErrors errors, List<String> allowedOrigins) {
            this.errors = errors;
            this.allowedOrigins = allowedOrigins;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String method = request.getMethod();
            boolean safe = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
            String origin = request.getHeader("Origin");
            if (!safe && crossSite(request)
                    && (origin == null || !allowedOrigins.contains(origin.toLowerCase(java.util.Locale.ROOT)))) {
                errors.crossSite(request, response, "Forbidden: a " + method + " from another site (Origin "
                        + request.getHeader("Origin") + ") is refused");
                return;
            }
            chain.doFilter(request, response);
        }

        static boolean crossSite(HttpServletRequest request) {
            String fetchSite = request.getHeader("Sec-Fetch-Site");
            if (fetchSite != null) {
                return !fetchSite.equals("same-origin") && !fetchSite.equals("none");
            }
            String origin = request.getHeader("Origin");
            if (origin == null) {
                return false;
            }
            String host = request.getHeader("Host");
            try {
                java.net.URI o = java.net.URI.create(origin);
                String originHost = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
                return host == null || originHost == null || !originHost.equalsIgnoreCase(host);
            } catch (IllegalArgumentException e) {
                return true;
            }
        }
    }

    /**
     * Names the signed-in identity on the request, for the audit trail and the request log, and the databases its
     * grants narrow it to, for the features. It runs after every way of signing in (API keys and OIDC tokens sign in
     * before Basic does).
     */
    private static final class ActorFilter extends OncePerRequestFilter {

        private final Grants grants;

        ActorFilter(Grants grants) {
            this.grants = grants;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            SignedIn s = SignedIn.current();
            if (s != null) {
                request.setAttribute(Actor.ATTRIBUTE, s.actor());
                Narrowing narrowing = grants.narrowing(s);
                if (narrowing != null) {
                    request.setAttribute(Narrowing.ATTRIBUTE, narrowing);
                }
            }
            chain.doFilter(request, response);
        }
    }
}
