package dev.custos.connectors;

import java.util.Objects;

/** A classified failure to reach or use a database; the message is safe to show (it never holds a password). */
public class ConnectorException extends RuntimeException {

    private final ConnectionErrorType type;

    public ConnectorException(ConnectionErrorType type, String message) {
        this(type, message, null);
    }

    public ConnectorException(ConnectionErrorType type, String message, Throwable cause) {
        super(message, cause);
        this.type = Objects.requireNonNull(type, "type");
    }

    public ConnectionErrorType type() {
        return type;
    }
}
