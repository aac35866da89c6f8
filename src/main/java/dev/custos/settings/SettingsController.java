package dev.custos.settings;

import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import dev.custos.api.JsonBody;

@RestController
@RequestMapping("/api/settings")
class SettingsController {

    private final SettingsService settings;

    SettingsController(SettingsService settings) {
        this.settings = settings;
    }

    @Operation(summary = "Get the application settings")
    @GetMapping
    Settings get() {
        return settings.get();
    }

    @Operation(summary = "Update the application settings; fields not given stay")
    @PutMapping
    Map<String, Object> update(@RequestBody(required = false) JsonNode body) {
        return Map.of("message", "Settings updated", "settings", settings.update(JsonBody.of(body)));
    }
}
