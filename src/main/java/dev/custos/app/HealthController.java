package dev.custos.app;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.custos.security.SecurityProperties;

@RestController
class HealthController {

    private final Clock clock;
    private final String version;
    private final String auth;
    private final String oidcIssuer;

    HealthController(Clock clock, ObjectProvider<BuildProperties> build, SecurityProperties security) {
        this.clock = clock;
        this.auth = security.auth();
        this.oidcIssuer = security.required() && security.oidc().enabled() ? security.oidc().issuerUri() : null;
        BuildProperties props = build.getIfAvailable();
        this.version = props == null ? "unknown" : props.getVersion();
    }

    @Operation(summary = "Liveness: the service name and the version of the build")
    @GetMapping("/api/health")
    Map<String, Object> health() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "healthy");
        body.put("service", "custos");
        body.put("version", version);
        body.put("timestamp", clock.instant());
        body.put("auth", auth);
        if (oidcIssuer != null) {
            // Public like the provider's own discovery document: where a client gets a token for Custos.
            body.put("oidc", Map.of("issuer", oidcIssuer));
        }
        if (auth.equals("none")) {
            body.put("warning", "Authentication is off (CUSTOS_AUTH=none): anyone who can reach this service can read,"
                    + " download, restore and delete every backup. Use it for development only.");
        }
        return body;
    }
}
