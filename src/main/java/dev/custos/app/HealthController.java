package dev.custos.app;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class HealthController {

    private final Clock clock;
    private final String version;

    HealthController(Clock clock, ObjectProvider<BuildProperties> build) {
        this.clock = clock;
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
        return body;
    }
}
