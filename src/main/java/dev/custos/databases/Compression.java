package dev.custos.databases;

import java.util.List;

import tools.jackson.databind.JsonNode;

import dev.custos.api.JsonBody;

/**
 * The {@code compression} field: the spec's boolean ({@code true} = the settings' default algorithm) or an
 * algorithm name. Stored as text, shown back as the client gave it.
 */
final class Compression {

    static final List<String> ALGORITHMS = List.of("none", "gzip", "lz4", "zstd");

    private Compression() {
    }

    static String read(JsonBody body, String current) {
        return body.raw("compression").map(node -> parse(body, node)).orElse(current);
    }

    private static String parse(JsonBody body, JsonNode node) {
        if (node.isBoolean()) {
            return Boolean.toString(node.booleanValue());
        }
        if (node.isString() && ALGORITHMS.contains(node.stringValue())) {
            return node.stringValue();
        }
        body.error("compression must be true, false or one of " + String.join(", ", ALGORITHMS));
        return null;
    }

    static Object toApi(String stored) {
        return switch (stored) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> stored;
        };
    }
}
