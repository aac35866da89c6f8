package dev.custos.databases;

import java.util.List;

import tools.jackson.databind.JsonNode;

import dev.custos.api.JsonBody;
import dev.custos.pipeline.CompressionSpec;

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

    /**
     * {@code compression_level}: null (or absent on create) for the algorithm's default; otherwise within the
     * algorithm's range. A level kept from before is dropped when the algorithm changes to one it does not fit.
     */
    static Integer readLevel(JsonBody body, String compression, Integer current) {
        if (compression == null) {
            return current;
        }
        CompressionSpec.Algorithm algorithm = algorithm(compression);
        if (body.has("compression_level") && body.isNull("compression_level")) {
            return null;
        }
        if (!body.has("compression_level")) {
            boolean fits = current != null && algorithm != CompressionSpec.Algorithm.NONE
                    && current >= algorithm.minLevel() && current <= algorithm.maxLevel();
            return fits ? current : null;
        }
        if (algorithm == CompressionSpec.Algorithm.NONE) {
            body.error("compression_level cannot be set when compression is off");
            return null;
        }
        return body.integer("compression_level", algorithm.minLevel(), algorithm.maxLevel()).orElse(null);
    }

    /** What a backup of a database with these settings uses: {@code true} is zstd (level 3 unless given). */
    static CompressionSpec spec(String stored, Integer level) {
        CompressionSpec.Algorithm algorithm = algorithm(stored);
        if (algorithm == CompressionSpec.Algorithm.NONE) {
            return CompressionSpec.NONE;
        }
        return new CompressionSpec(algorithm, level == null ? algorithm.defaultLevel() : level);
    }

    private static CompressionSpec.Algorithm algorithm(String stored) {
        return switch (stored) {
            case "true" -> CompressionSpec.DEFAULT.algorithm();
            case "false" -> CompressionSpec.Algorithm.NONE;
            default -> CompressionSpec.Algorithm.fromValue(stored);
        };
    }
}
