package dev.custos.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import dev.custos.api.ApiException;
import dev.custos.api.ErrorBody;

/**
 * Turns every failure into the spec's {@code {"error": "..."}}. A client's mistake is a 4xx that names the
 * field; only our own faults are 500s, logged with the request id and answered without internals.
 */
@RestControllerAdvice
class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    /**
     * Parts of Jackson's messages that name its classes, features and source locations: a client needs to know
     * what is wrong with its JSON, not how our parser is configured.
     */
    private static final List<Pattern> PARSER_INTERNALS = List.of(
            // "... (start marker at [Source: REDACTED (`StreamReadFeature...` disabled); byte offset: #UNKNOWN])"
            Pattern.compile("\\s*\\([^()]*\\[Source:.*$"),
            // "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
            Pattern.compile(":?\\s*enable `[^`]*` to allow"),
            // "... exceeds the maximum allowed (500, from `StreamReadConstraints.getMaxNestingDepth()`)"
            Pattern.compile(", from `[^`]*`"),
            // "... comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)"
            Pattern.compile("\\s*\\([^()]*Feature '[^']*'[^()]*\\)"),
            Pattern.compile("`[^`]*`"));

    @ExceptionHandler(ApiException.class)
    ResponseEntity<?> api(ApiException e) {
        if (!e.fields().isEmpty()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.getMessage());
            body.putAll(e.fields());
            return ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON).body(body);
        }
        return error(e.status(), e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestSizeLimit.BodyTooLarge tooLarge) {
                return error(HttpStatus.CONTENT_TOO_LARGE, tooLarge.getMessage());
            }
        }
        String detail = e.getMostSpecificCause().getMessage();
        if (detail != null) {
            // Jackson appends the source location; the first line says what is wrong.
            detail = detail.lines().findFirst().orElse(detail);
            for (Pattern internal : PARSER_INTERNALS) {
                detail = internal.matcher(detail).replaceAll("");
            }
            if (detail.length() > 200) {
                detail = detail.substring(0, 200) + "…";
            }
        }
        return error(HttpStatus.BAD_REQUEST, "Request body is not valid JSON" + (detail == null ? "" : ": " + detail));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ErrorBody> typeMismatch(MethodArgumentTypeMismatchException e) {
        Class<?> type = e.getRequiredType();
        String expected = type == null ? "a valid value"
                : type == Integer.class || type == int.class || type == Long.class ? "an integer"
                : type == Boolean.class || type == boolean.class ? "true or false"
                : "a valid " + type.getSimpleName();
        return error(HttpStatus.BAD_REQUEST,
                "Parameter '" + e.getName() + "' must be " + expected + " (got '" + e.getValue() + "')");
    }

    /**
     * Tomcat parses the query string only when a parameter is first read, and then throws for bad percent-encoding
     * ({@code ?limit=%ZZ}) or more parameters than it allows: the client's mistake, not ours.
     */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<ErrorBody> invalidParameters(InvalidParameterException e) {
        return error(HttpStatus.BAD_REQUEST,
                "The query string is malformed: invalid percent-encoding or more than the allowed number of parameters");
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ErrorBody> missingParameter(MissingServletRequestParameterException e) {
        return error(HttpStatus.BAD_REQUEST, "Query parameter '" + e.getParameterName() + "' is required");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ErrorBody> method(HttpRequestMethodNotSupportedException e) {
        return error(HttpStatus.METHOD_NOT_ALLOWED, "Method " + e.getMethod() + " is not allowed here");
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ErrorBody> mediaType(HttpMediaTypeNotSupportedException e) {
        return error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ErrorBody> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return error(HttpStatus.NOT_ACCEPTABLE, "This endpoint answers application/json");
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ErrorBody> noResource(NoResourceFoundException e) {
        return error(HttpStatus.NOT_FOUND, "No endpoint " + e.getHttpMethod() + " /" + e.getResourcePath());
    }

    /**
     * Services check uniqueness and references before they write; this is the race where another request changed
     * the catalog between the check and the write, and a unique index or foreign key refused it.
     */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ErrorBody> conflict(DataIntegrityViolationException e) {
        return error(HttpStatus.CONFLICT, "The request conflicts with a change made at the same time; read the resource again and retry");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ErrorBody> unexpected(Exception e) {
        log.error("Unexpected error", e);
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error; see the server log");
    }

    /**
     * The content type is set, not negotiated: a client that accepts only XML or HTML still gets its error as
     * JSON instead of a failed negotiation that ends in an empty 500.
     */
    private static ResponseEntity<ErrorBody> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ErrorBody(message));
    }
}
