package dev.custos.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.JsonNode;

/**
 * Reads a JSON request body field by field and collects every problem, so one 400 names each bad field and
 * why. Absent and {@code null} are told apart ({@link #has}, {@link #isNull}) because updates are partial.
 * Unknown fields are ignored: clients of the spec send fields we do not keep.
 */
public final class JsonBody {

    private final JsonNode node;
    private final List<String> errors = new ArrayList<>();

    private JsonBody(JsonNode node) {
        this.node = node;
    }

    /** A missing body reads as an empty object, so required fields report themselves as missing. */
    public static JsonBody of(JsonNode node) {
        if (node != null && !node.isNull() && !node.isMissingNode() && !node.isObject()) {
            throw ApiException.badRequest("Request body must be a JSON object");
        }
        return new JsonBody(node == null || node.isNull() || node.isMissingNode() ? null : node);
    }

    public boolean has(String field) {
        return node != null && node.has(field);
    }

    public boolean isNull(String field) {
        return has(field) && node.get(field).isNull();
    }

    private JsonNode value(String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    public void error(String message) {
        errors.add(message);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** Throws one 400 that lists every problem found so far. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw ApiException.badRequest(String.join("; ", errors));
        }
    }

    public Optional<String> string(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isString()) {
            errors.add(field + " must be a string");
            return Optional.empty();
        }
        if (hasNul(v.stringValue())) {
            errors.add(field + " must not contain NUL characters");
            return Optional.empty();
        }
        return Optional.of(v.stringValue());
    }

    /** PostgreSQL text cannot hold U+0000: stored or even compared, it fails the statement with a 500. */
    public static boolean hasNul(String s) {
        return s.indexOf('\0') >= 0;
    }

    /** A string that must be present and not blank; trimmed. */
    public String requiredString(String field) {
        if (value(field) == null) {
            errors.add(field + " is required");
            return null;
        }
        Optional<String> s = string(field);
        if (s.isPresent() && s.get().isBlank()) {
            errors.add(field + " must not be blank");
            return null;
        }
        return s.map(String::trim).orElse(null);
    }

    /** An optional string that, when given, must not be blank; trimmed. */
    public Optional<String> nonBlankString(String field, int maxLength) {
        Optional<String> s = string(field);
        if (s.isPresent() && s.get().isBlank()) {
            errors.add(field + " must not be blank");
            return Optional.empty();
        }
        if (s.isPresent() && s.get().length() > maxLength) {
            errors.add(field + " must be at most " + maxLength + " characters");
            return Optional.empty();
        }
        return s.map(String::trim);
    }

    /**
     * A field of a partial update that may be cleared: {@code null} clears it, absent keeps {@code current}, a
     * string must be non-blank and at most {@code maxLength} long.
     */
    public String updatedString(String field, int maxLength, String current) {
        if (isNull(field)) {
            return null;
        }
        return nonBlankString(field, maxLength).orElse(current);
    }

    public Optional<String> oneOf(String field, Collection<String> allowed) {
        Optional<String> s = string(field);
        if (s.isPresent() && !allowed.contains(s.get())) {
            errors.add(field + " must be one of " + String.join(", ", allowed) + " (got '" + s.get() + "')");
            return Optional.empty();
        }
        return s;
    }

    public Optional<Integer> integer(String field, int min, int max) {
        JsonNode v = value(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            errors.add(field + " must be an integer");
            return Optional.empty();
        }
        int i = v.intValue();
        if (i < min || i > max) {
            errors.add(field + " must be between " + min + " and " + max + " (got " + i + ")");
            return Optional.empty();
        }
        return Optional.of(i);
    }

    public Optional<Boolean> bool(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            errors.add(field + " must be true or false");
            return Optional.empty();
        }
        return Optional.of(v.booleanValue());
    }

    public Optional<JsonBody> object(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            errors.add(field + " must be an object");
            return Optional.empty();
        }
        return Optional.of(new JsonBody(v));
    }

    /** Reads a nested object with the field's name as a prefix in its messages, e.g. {@code daily.time}. */
    public <T> Optional<T> nested(String field, java.util.function.Function<JsonBody, T> reader) {
        return object(field).map(child -> {
            T result = reader.apply(child);
            child.errors.forEach(e -> errors.add(field + "." + e));
            return result;
        });
    }

    public Optional<List<String>> stringList(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isArray()) {
            errors.add(field + " must be an array of strings");
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isString()) {
                errors.add(field + " must be an array of strings");
                return Optional.empty();
            }
            if (hasNul(item.stringValue())) {
                errors.add(field + " must not contain NUL characters");
                return Optional.empty();
            }
            out.add(item.stringValue());
        }
        return Optional.of(out);
    }

    /** A flat object of scalar values, kept as strings (tags). */
    public Optional<Map<String, String>> stringMap(String field, int maxEntries) {
        JsonNode v = value(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            errors.add(field + " must be an object of key-value pairs");
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            JsonNode item = e.getValue();
            if (!item.isValueNode() || item.isNull()) {
                errors.add(field + "." + e.getKey() + " must be a string, number or boolean");
                return Optional.empty();
            }
            out.put(e.getKey(), item.asString());
        }
        if (out.size() > maxEntries) {
            errors.add(field + " may hold at most " + maxEntries + " entries");
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /** The raw node of a field, for fields that accept more than one JSON type. */
    public Optional<JsonNode> raw(String field) {
        return Optional.ofNullable(value(field));
    }
}
