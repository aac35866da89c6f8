package dev.custos.settings;

import java.util.Map;

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

    @GetMapping
    Settings get() {
        return settings.get();
    }

    @PutMapping
    Map<String, Object> update(@RequestBody(required = false) JsonNode body) {
        return Map.of("message", "Settings updated", "settings", settings.update(JsonBody.of(body)));
    }
}
