package dev.custos.connectors;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Picks the connector for a target's kind, and answers for the kinds that have none yet. */
@Component
public class Connectors {

    private final Map<DatabaseKind, DatabaseConnector> byKind;

    public Connectors(List<DatabaseConnector> connectors) {
        Map<DatabaseKind, DatabaseConnector> map = new EnumMap<>(DatabaseKind.class);
        for (DatabaseConnector connector : connectors) {
            DatabaseConnector previous = map.putIfAbsent(connector.kind(), connector);
            if (previous != null) {
                // Two beans for one kind would make the choice depend on bean order.
                throw new IllegalStateException("two connectors for " + connector.kind() + ": "
                        + previous.getClass().getName() + " and " + connector.getClass().getName());
            }
        }
        this.byKind = Collections.unmodifiableMap(map);
    }

    public Optional<DatabaseConnector> forKind(DatabaseKind kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    public ConnectionCheck test(ConnectionTarget target, Duration timeout) {
        return forKind(target.kind())
                .map(connector -> connector.testConnection(target, timeout))
                .orElseGet(() -> new ConnectionCheck(
                        false, unsupported(target.kind()), 0, ConnectionErrorType.UnsupportedEngine, null));
    }

    public List<String> listDatabases(ConnectionTarget target, Duration timeout) {
        return forKind(target.kind())
                .orElseThrow(() -> new ConnectorException(
                        ConnectionErrorType.UnsupportedEngine, unsupported(target.kind())))
                .listDatabases(target, timeout);
    }

    private String unsupported(DatabaseKind kind) {
        List<String> supported = byKind.keySet().stream().map(DatabaseKind::value).toList();
        return kind.value() + " is not supported yet: supported kinds are " + String.join(", ", supported);
    }
}
