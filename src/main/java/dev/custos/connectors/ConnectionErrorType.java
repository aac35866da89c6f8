package dev.custos.connectors;

/** Why a connection attempt failed; the names are the API's {@code error_type} values, hence the casing. */
public enum ConnectionErrorType {
    AuthenticationError,
    ConnectionError,
    DatabaseNotFound,
    Timeout,
    UnsupportedEngine
}
