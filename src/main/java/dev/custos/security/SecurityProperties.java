package dev.custos.security;

import java.nio.file.Path;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How Custos authenticates ({@code custos.security.*}).
 *
 * @param auth              {@code required} (the default: every API request but health and signed download links
 *                          needs a user) or {@code none} (the spec's development mode: everyone acts as
 *                          {@code anonymous} with every right; set by {@code CUSTOS_AUTH=none})
 * @param adminPasswordFile where the first start writes the random password of the {@code admin} user it creates
 */
@ConfigurationProperties("custos.security")
public record SecurityProperties(String auth, Path adminPasswordFile) {

    public SecurityProperties {
        auth = auth == null || auth.isBlank() ? "required" : auth.trim().toLowerCase(Locale.ROOT);
        if (!auth.equals("required") && !auth.equals("none")) {
            throw new IllegalArgumentException("custos.security.auth (CUSTOS_AUTH) must be required or none (got '"
                    + auth + "')");
        }
    }

    public boolean required() {
        return auth.equals("required");
    }
}
