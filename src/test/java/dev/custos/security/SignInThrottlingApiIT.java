package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.SecuredService;
import dev.custos.support.SettableClock;

/**
 * Repeated failed sign-ins, as an attacker guessing a password meets them: each failure is a security event an
 * admin can query; after a few the account is slowed (429 with Retry-After, the password not even checked), then
 * locked out for the configured time, then usable again. Small limits here: slowed after 2, locked after 4, for 3 s.
 */
@Import(SignInThrottlingApiIT.Setup.class)
class SignInThrottlingApiIT extends ApiTest {

    private static final SecuredService SERVICE = SecuredService.create("throttle");
    private static final Path DIR = SERVICE.dir();
    private static final SettableClock CLOCK = new SettableClock(java.time.Instant.parse("2027-01-04T09:00:00Z"));

    /** The service's time moves only when a test moves it: waits are exact, never slept. */
    @TestConfiguration
    static class Setup {
        @Bean
        @Primary
        SettableClock settableClock() {
            return CLOCK;
        }
    }

    @LocalServerPort
    private int port;

    private Api anonymous;
    private Api admin;

    @DynamicPropertySource
    static void authenticationOn(DynamicPropertyRegistry registry) {
        SERVICE.register(registry);
        registry.add("custos.security.lockout.slow-after", () -> "2");
        registry.add("custos.security.lockout.max-failures", () -> "4");
        registry.add("custos.security.lockout.duration", () -> "3s");
    }

    @BeforeEach
    void signIn() throws IOException {
        anonymous = new Api(port);
        admin = SERVICE.admin(anonymous);
    }

    @Test
    void failuresAreSlowedThenLockedOutThenForgivenAndEachIsASecurityEvent() {
        String name = user();
        Api wrong = anonymous.as(name, "not the password at all");
        Api right = anonymous.as(name, "password of " + name);

        assertThat(wrong.get("/api/databases").status()).isEqualTo(401);
        assertThat(wrong.get("/api/databases").status()).isEqualTo(401);
        Api.Response slowed = right.get("/api/databases");
        assertThat(slowed.status()).as(slowed.text()).isEqualTo(429);
        assertThat(slowed.header("Retry-After")).isEqualTo("1");
        assertThat(slowed.error()).contains("for the account '" + name + "'").contains("try again in 1 s");

        CLOCK.advance(Duration.ofSeconds(1));
        assertThat(wrong.get("/api/databases").status()).isEqualTo(401);
        assertThat(right.get("/api/databases").header("Retry-After")).isEqualTo("2");
        CLOCK.advance(Duration.ofSeconds(2));
        assertThat(wrong.get("/api/databases").status()).isEqualTo(401);
        Api.Response locked = right.get("/api/databases");
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.error()).contains("locked out");
        assertThat(locked.header("Retry-After")).isEqualTo("3");

        JsonNode failed = admin.get("/api/security-events?type=sign_in_failed&principal=" + name).json();
        assertThat(failed.path("count").asInt()).isEqualTo(4);
        assertThat(failed.path("events").get(0).path("reason").asString()).isEqualTo("wrong password");
        JsonNode lockout = admin.get("/api/security-events?type=sign_in_locked&principal=" + name).json()
                .path("events");
        assertThat(lockout).hasSize(1);
        assertThat(lockout.get(0).path("severity").asString()).isEqualTo("critical");
        assertThat(lockout.get(0).path("reason").asString()).contains("the account '" + name + "'");
        assertThat(admin.get("/api/security-events/summary").json().path("counts").path("sign_in_locked").asInt())
                .isGreaterThanOrEqualTo(1);

        CLOCK.advance(Duration.ofMillis(2999));
        assertThat(right.get("/api/databases").status()).isEqualTo(429);
        CLOCK.advance(Duration.ofMillis(1));
        assertThat(right.get("/api/databases").status()).isEqualTo(200);
        // The success cleared the count: one more mistake is only a mistake.
        assertThat(wrong.get("/api/databases").status()).isEqualTo(401);
        assertThat(right.get("/api/databases").status()).isEqualTo(200);
    }

    @Test
    void anUnknownUserIsRefusedLikeAWrongPasswordAndOnlyTheEventSaysWhich() {
        String ghost = unique("ghost");
        Api.Response r = anonymous.as(ghost, "some password here").get("/api/databases");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.error()).isEqualTo("Wrong username or password");
        // A name that is no user's may be a password typed into the wrong field: the event does not keep it.
        JsonNode event = admin.get("/api/security-events?type=sign_in_failed&principal=" + Api.encode("(unknown user)"))
                .json().path("events").get(0);
        assertThat(event.path("reason").asString()).isEqualTo("unknown user");
        assertThat(admin.get("/api/security-events?limit=1000").text()).doesNotContain(ghost)
                .doesNotContain("some password here");
    }

    @Test
    void aRefusedRequestIsASecurityEventAndSecurityEventsAreForAdminsOnly() {
        String name = user();
        Api viewer = anonymous.as(name, "password of " + name);

        assertThat(viewer.get("/api/audit").status()).isEqualTo(403);
        assertThat(viewer.get("/api/security-events").status()).isEqualTo(403);

        JsonNode denied = admin.get("/api/security-events?type=access_denied&principal=" + name).json().path("events");
        assertThat(denied).hasSize(2);
        assertThat(denied.get(1).path("path").asString()).isEqualTo("/api/audit");
        assertThat(denied.get(1).path("reason").asString()).contains("the role viewer may not GET /api/audit");
        Api.Response bad = admin.get("/api/security-events?type=nonsense&limit=0");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).contains("type must be one of").contains("limit");
    }

    private String user() {
        String name = unique("guess");
        Api.Response r = admin.post("/api/users", Api.json("username", name, "password", "password of " + name,
                "role", "viewer"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return name;
    }

}
