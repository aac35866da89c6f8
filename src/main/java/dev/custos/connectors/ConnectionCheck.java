package dev.custos.connectors;

/**
 * The outcome of a connection test, shaped like the API's response.
 *
 * @param errorType     null on success
 * @param serverVersion null on failure
 */
public record ConnectionCheck(
        boolean success, String message, long durationMs, ConnectionErrorType errorType, String serverVersion) {
}
