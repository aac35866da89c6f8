package dev.custos.connectors;

/**
 * Where a dump reports its steps while it runs ("connected", "pg_dump 15.8 started", a tool's warning line).
 * The backup job writes them to its execution log. Messages must never hold secrets.
 */
@FunctionalInterface
public interface DumpLog {

    void step(String level, String message);

    default void info(String message) {
        step("info", message);
    }

    default void warn(String message) {
        step("warning", message);
    }

    static DumpLog discard() {
        return (level, message) -> { };
    }
}
