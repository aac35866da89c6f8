package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;

import dev.custos.support.SettableClock;
import dev.custos.support.TestOidcIssuer;

/**
 * The provider's discovery document is read on first use, not at start: a provider that is down refuses tokens with
 * a message saying so, and is asked again once {@link OidcDecoder#RETRY_AFTER} has passed, not on every request.
 */
class OidcDecoderIT {

    private final TestOidcIssuer issuer = TestOidcIssuer.start();
    private final SettableClock clock = new SettableClock(Instant.now());
    private final OidcDecoder decoder = OidcDecoder.of(new SecurityProperties.Oidc(issuer.issuer(),
            List.of(TestOidcIssuer.AUDIENCE), null, null, null), clock);

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void aProviderThatIsDownRefusesTokensUntilItIsBackAndIsAskedAgainAfterAPause() {
        String token = issuer.token("sub-1", c -> { });
        issuer.down(true);

        assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(BadJwtException.class)
                .hasMessage("the keys of the OIDC provider " + issuer.issuer() + " cannot be fetched right now to"
                        + " check it; try again shortly");
        issuer.down(false);
        int asked = issuer.discoveries();
        // within the pause: refused at once, without asking the provider
        assertThatThrownBy(() -> decoder.decode(token)).hasMessageContaining("cannot be fetched right now");
        assertThat(issuer.discoveries()).isEqualTo(asked);

        clock.advance(OidcDecoder.RETRY_AFTER.plus(Duration.ofMillis(1)));

        assertThat(decoder.decode(token).getSubject()).isEqualTo("sub-1");
        assertThat(decoder.decode(token).getSubject()).isEqualTo("sub-1");
        assertThat(issuer.discoveries()).isEqualTo(asked + 1);
    }

    @Test
    void withoutAnIssuerEveryTokenIsRefusedWithoutAskingAnyone() {
        OidcDecoder off = OidcDecoder.of(new SecurityProperties.Oidc("", List.of(), null, null, null), clock);

        assertThatThrownBy(() -> off.decode(issuer.token("sub-1", c -> { })))
                .hasMessageContaining("trusts no OIDC provider");
        assertThat(issuer.discoveries()).isZero();
    }

    @Test
    void aTokenBoundToAClientKeyIsRefusedSinceNothingChecksTheBinding() {
        String token = issuer.token("sub-1", c -> c.claim("cnf", java.util.Map.of("x5t#S256",
                "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2")));

        assertThatThrownBy(() -> decoder.decode(token)).hasMessageContaining("bound to a client key or certificate");
    }

    @Test
    void theClockSkewIsAMinuteEachWay() {
        // exp is in whole seconds
        Instant exp = clock.instant().plus(Duration.ofMinutes(5)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String token = issuer.token("sub-1", c -> c.expirationTime(java.util.Date.from(exp)));

        clock.set(exp.plus(OidcDecoder.CLOCK_SKEW));
        assertThat(decoder.decode(token).getSubject()).isEqualTo("sub-1");

        clock.set(exp.plus(OidcDecoder.CLOCK_SKEW).plusSeconds(1));
        assertThatThrownBy(() -> decoder.decode(token)).hasMessageStartingWith("expired at ");
    }
}
