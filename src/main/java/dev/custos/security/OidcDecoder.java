package dev.custos.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.client.RestTemplate;

/**
 * Checks a bearer JWT against the configured OIDC provider: its signature against the keys the provider publishes
 * (found through its discovery document), then its issuer, audience, type and time window (60 s of clock skew).
 * Every refusal is a {@link BadJwtException} whose message says why in plain words, for the caller's 401.
 * <p>
 * The provider is asked for its discovery document once, when Custos is ready and then on first use; a provider
 * that cannot be reached refuses tokens with a message saying so, never the start, and is asked again by a request
 * at least {@link #RETRY_AFTER} later. Its keys are cached and fetched again when a token names a key not yet seen
 * (the provider rotated them).
 */
final class OidcDecoder implements JwtDecoder {

    static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    /** Access tokens are {@code at+jwt} (RFC 9068) or plain JWTs; ID tokens carry no type or {@code JWT}. */
    private static final List<String> TYPES = List.of("jwt", "at+jwt", "application/at+jwt");

    private static final Logger log = LoggerFactory.getLogger(OidcDecoder.class);

    private final SecurityProperties.Oidc oidc;
    private final Clock clock;
    private final Supplier<JwtDecoder> discovery;
    private volatile JwtDecoder decoder;
    private Instant failedAt;

    /** The decoder for {@code oidc}: one that refuses every token when OIDC is off. */
    static OidcDecoder of(SecurityProperties.Oidc oidc, Clock clock) {
        return new OidcDecoder(oidc, clock, () -> discover(oidc, clock));
    }

    /** {@code discovery} builds the checking decoder from the provider; it may fail and is then retried. */
    OidcDecoder(SecurityProperties.Oidc oidc, Clock clock, Supplier<JwtDecoder> discovery) {
        this.oidc = oidc;
        this.clock = clock;
        this.discovery = discovery;
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        if (!oidc.enabled()) {
            throw new BadJwtException("this server trusts no OIDC provider (custos.security.oidc.issuer-uri is not"
                    + " set); sign in with a username and password");
        }
        JwtDecoder checking = decoder();
        try {
            return checking.decode(token);
        } catch (JwtValidationException e) {
            String description = firstDescription(e.getErrors());
            if (e.getErrors().size() == 1 && description.startsWith("expired")) {
                throw new NotAGuess(description, e);
            }
            throw new BadJwtException(description, e);
        } catch (BadJwtException e) {
            throw new BadJwtException(undecodable(e), e);
        } catch (JwtException e) {
            // The provider's keys could not be fetched (they are fetched again for a key not seen yet).
            log.warn("OIDC: cannot fetch the signing keys of {}: {}", oidc.issuerUri(), e.getMessage());
            throw new NotAGuess(unreachable(), e);
        }
    }

    /**
     * A refusal that is no sign of someone guessing: a token that expired (its client has not refreshed it yet) or
     * one that could not be checked because the provider's keys cannot be fetched. It does not count towards a
     * lockout.
     */
    static final class NotAGuess extends BadJwtException {

        private static final long serialVersionUID = 1L;

        NotAGuess(String message, Throwable cause) {
            super(message, cause);
        }

        NotAGuess(String message) {
            super(message);
        }
    }

    /** Reads the discovery document now: the first request need not wait for it, and a bad issuer shows in the log. */
    @EventListener(ApplicationReadyEvent.class)
    void warmUp() {
        if (!oidc.enabled()) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                decoder();
            } catch (JwtException e) {
                // logged by decoder()
            }
        }, "oidc-discovery");
        t.setDaemon(true);
        t.start();
    }

    private JwtDecoder decoder() {
        JwtDecoder d = decoder;
        if (d != null) {
            return d;
        }
        synchronized (this) {
            if (decoder != null) {
                return decoder;
            }
            Instant now = clock.instant();
            if (failedAt != null && now.isBefore(failedAt.plus(RETRY_AFTER))) {
                throw new NotAGuess(unreachable());
            }
            try {
                decoder = discovery.get();
                failedAt = null;
                log.info("OIDC: trusting bearer tokens of {} for audience {}", oidc.issuerUri(),
                        String.join(", ", oidc.audience()));
                return decoder;
            } catch (RuntimeException e) {
                failedAt = now;
                log.warn("OIDC: cannot read the discovery document of {} ({}); bearer tokens are refused until it"
                        + " can, asked again on a request after {} s", oidc.issuerUri(), e.getMessage(),
                        RETRY_AFTER.toSeconds());
                throw new NotAGuess(unreachable(), e);
            }
        }
    }

    private String unreachable() {
        return "the keys of the OIDC provider " + oidc.issuerUri() + " cannot be fetched right now to check it; try"
                + " again shortly";
    }

    /** The provider's decoder, found through its discovery document; the provider's own checks replaced by ours. */
    private static JwtDecoder discover(SecurityProperties.Oidc oidc, Clock clock) {
        SimpleClientHttpRequestFactory http = new SimpleClientHttpRequestFactory();
        http.setConnectTimeout(HTTP_TIMEOUT);
        http.setReadTimeout(HTTP_TIMEOUT);
        NimbusJwtDecoder d = NimbusJwtDecoder.withIssuerLocation(oidc.issuerUri())
                .restOperations(new RestTemplate(http))
                .build();
        d.setJwtValidator(validator(oidc, clock));
        return d;
    }

    /** The checks of a token whose signature verified, each failure described in plain words. */
    static OAuth2TokenValidator<Jwt> validator(SecurityProperties.Oidc oidc, Clock clock) {
        return jwt -> {
            List<String> problems = new ArrayList<>();
            String typ = jwt.getHeaders().get("typ") instanceof String s ? s : null;
            if (typ != null && !typ.isBlank() && !TYPES.contains(typ.toLowerCase(java.util.Locale.ROOT))) {
                problems.add("a '" + shown(typ) + "' token, not an access or ID token");
            }
            String iss = jwt.getClaims().get("iss") == null ? null : jwt.getClaims().get("iss").toString();
            if (!Objects.equals(iss, oidc.issuerUri())) {
                problems.add(iss == null ? "wrong issuer: it names none (iss)"
                        : "wrong issuer '" + shown(iss) + "' (this server trusts " + oidc.issuerUri() + ")");
            }
            List<String> aud = jwt.getAudience() == null ? List.of() : jwt.getAudience();
            if (aud.stream().noneMatch(oidc.audience()::contains)) {
                problems.add(aud.isEmpty() ? "wrong audience: it names none (aud)"
                        : "wrong audience '" + shown(String.join(", ", aud)) + "' (this server accepts "
                        + String.join(", ", oidc.audience()) + ")");
            }
            Instant now = clock.instant();
            if (jwt.getExpiresAt() == null) {
                problems.add("no expiry time (exp)");
            } else if (now.isAfter(jwt.getExpiresAt().plus(CLOCK_SKEW))) {
                problems.add("expired at " + jwt.getExpiresAt());
            }
            if (jwt.getNotBefore() != null && now.isBefore(jwt.getNotBefore().minus(CLOCK_SKEW))) {
                problems.add("not valid until " + jwt.getNotBefore());
            }
            if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
                problems.add("no subject (sub)");
            }
            if (jwt.getClaims().get("cnf") instanceof java.util.Map<?, ?> cnf && !cnf.isEmpty()) {
                // A sender-constrained token (mTLS or DPoP, RFC 8705/9449) is only as good as the check of its key;
                // Custos sits behind a TLS proxy and makes none, so such a token would be a plain bearer token.
                problems.add("bound to a client key or certificate (cnf), which this server cannot check");
            }
            return problems.isEmpty() ? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult.failure(
                    problems.stream().map(p -> new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, p, null)).toList());
        };
    }

    /** Why Nimbus refused a token before its claims were looked at: its form or its signature. */
    private static String undecodable(BadJwtException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof BadJWSException) {
                return "bad signature: the token was altered, or signed by someone other than the issuer";
            }
            if (t instanceof BadJOSEException) {
                return "bad signature: not signed with a key (and algorithm) the issuer publishes";
            }
            if (t instanceof java.text.ParseException) {
                return "not a well-formed JWT";
            }
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("Unsupported algorithm")) {
            return "not signed";
        }
        return m.contains("Malformed") ? "not a well-formed JWT" : "not a signed JWT";
    }

    private static String firstDescription(Collection<OAuth2Error> errors) {
        return errors.stream().map(OAuth2Error::getDescription).filter(Objects::nonNull).findFirst()
                .orElse("it did not pass the checks");
    }

    /** A value taken from the token, safe and short enough to show back. */
    private static String shown(String value) {
        String s = value.replaceAll("\\p{Cntrl}", "?");
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
