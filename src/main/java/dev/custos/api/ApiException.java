package dev.custos.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * A failure caused by the request, answered with its status and {@code {"error": message}}. The message is
 * shown to the user as it is, so it names the field or resource and never holds a secret.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final Map<String, Object> fields;

    public ApiException(HttpStatus status, String message) {
        this(status, message, Map.of());
    }

    private ApiException(HttpStatus status, String message, Map<String, Object> fields) {
        super(message);
        this.status = status;
        this.fields = fields;
    }

    public HttpStatus status() {
        return status;
    }

    /** Fields the body carries beside {@code error}, for a client to act on (such as the names of missing parameters). */
    public Map<String, Object> fields() {
        return fields;
    }

    /**
     * A 400 for required query parameters that were not given, listing them as {@code missing} beside all the
     * {@code required} ones, as {@code 002_*} answers.
     */
    public static ApiException missingParameters(List<String> required, List<String> missing) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("required", List.copyOf(required));
        fields.put("missing", List.copyOf(missing));
        return new ApiException(HttpStatus.BAD_REQUEST, "Missing required parameters: " + String.join(", ", missing),
                fields);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(HttpStatus.CONFLICT, message);
    }
}
