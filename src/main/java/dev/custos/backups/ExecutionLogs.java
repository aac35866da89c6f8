package dev.custos.backups;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.custos.catalog.Timestamps;

/**
 * The execution log of each job ({@code execution_logs} of the spec's logging model): timestamped steps, the dump
 * tool's warnings and errors, and progress. Each line is its own short transaction, so the log of a job that
 * failed or whose process died still shows how far it got.
 */
@Component
public class ExecutionLogs {

    /** A line longer than this is cut: a tool that prints megabytes must not fill the catalog. */
    static final int MAX_MESSAGE = 4000;

    public record Line(Instant timestamp, String level, String message, Long bytesSoFar) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;

    ExecutionLogs(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    void append(String executionId, String level, String message, Long bytesSoFar) {
        append(executionId, "backup", level, message, bytesSoFar);
    }

    /** A line of any job's log; {@code executionType} says which kind of job ("backup", "restore"). */
    public void append(String executionId, String executionType, String level, String message, Long bytesSoFar) {
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "… (cut)" : message;
        jdbc.sql("""
                INSERT INTO execution_logs (execution_id, execution_type, logged_at, log_level, log_message, bytes_so_far)
                VALUES (?, ?, ?, ?, ?, ?)
                """).params(executionId, executionType, clock.millis(), level, text, bytesSoFar).update();
    }

    public List<Line> lines(String executionId) {
        return jdbc.sql("""
                SELECT logged_at, log_level, log_message, bytes_so_far FROM execution_logs
                WHERE execution_id = ? ORDER BY id
                """).param(executionId)
                .query((rs, n) -> {
                    long bytes = rs.getLong(4);
                    return new Line(Timestamps.fromMillis(rs.getLong(1)), rs.getString(2), rs.getString(3),
                            rs.wasNull() ? null : bytes);
                })
                .list();
    }

    void deleteFor(String executionId) {
        jdbc.sql("DELETE FROM execution_logs WHERE execution_id = ?").param(executionId).update();
    }
}
