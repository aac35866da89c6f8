package dev.custos.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.catalog.Timestamps;

/**
 * Streams the events matching a query, oldest first, as JSONL (the evidence format: a header, the signed checkpoints
 * of the range, one event per line with the hash of its predecessor, and a signed end line; checked offline by
 * {@code custos audit verify}) or as CSV (for spreadsheets; not verifiable). Memory stays bounded: events are read
 * in batches and written as they come.
 */
@Component
class AuditExport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> CSV_COLUMNS = List.of("sequence", "id", "timestamp", "action", "resource_type",
            "resource_id", "resource_name", "user_id", "user_email", "actor_type", "status", "category", "severity",
            "sensitive_data_accessed", "gdpr_relevant", "sox_relevant", "hipaa_relevant", "engine_id", "database_type",
            "details", "before", "after", "changes", "error_message", "ip_address", "user_agent", "request_id", "method",
            "path", "hash", "previous_hash", "archived_in");

    private final AuditRepository repository;
    private final AuditChain chain;
    private final AuditCheckpoints checkpoints;

    AuditExport(AuditRepository repository, AuditChain chain, AuditCheckpoints checkpoints) {
        this.repository = repository;
        this.chain = chain;
        this.checkpoints = checkpoints;
    }

    void jsonl(AuditQuery query, Map<String, Object> filters, OutputStream out, long now) {
        AuditRepository.Span span = repository.span(query).orElse(null);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("filtered", query.filtersBeyondTime());
        header.put("filters", filters);
        write(header, span == null ? List.of() : checkpoints.between(span.first(), span.last()),
                sink -> repository.forEachMatching(query, sink), out, now);
    }

    /** An archive segment: the given events (oldest first), as an export of them that is checked the same way. */
    void segment(List<AuditRepository.Linked> events, Map<String, Object> about, OutputStream out, long now) {
        Map<String, Object> header = new LinkedHashMap<>(about);
        header.put("filtered", true);
        long first = events.get(0).event().sequence();
        long last = events.get(events.size() - 1).event().sequence();
        write(header, checkpoints.between(first, last), sink -> events.forEach(sink), out, now);
    }

    private void write(Map<String, Object> about, List<Checkpoint> inRange, Consumer<Consumer<AuditRepository.Linked>> source,
            OutputStream out, long now) {
        AuditChain.Head head = chain.head();
        boolean filtered = Boolean.TRUE.equals(about.get("filtered"));
        Writer w = writer(out);
        try {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("format", "custos-audit-export");
            header.put("version", 1);
            header.put("exported_at", Timestamps.format(Instant.ofEpochMilli(now)));
            header.putAll(about);
            header.put("chain_first_sequence", head.firstSequence());
            header.put("chain_anchor_hash", head.anchorHash());
            header.put("key_id", checkpoints.publicKey().keyId());
            line(w, Map.of("export", header));
            for (Checkpoint c : inRange) {
                line(w, Map.of("checkpoint", c.view()));
            }
            MessageDigest digest = ExportSeal.newDigest();
            long[] count = {0};
            Long[] range = {null, null};
            source.accept(linked -> {
                AuditRecord e = linked.event();
                String previous = previous(linked, head);
                if (e.archived()) {
                    Map<String, Object> link = new LinkedHashMap<>();
                    link.put("sequence", e.sequence());
                    link.put("hash", e.hash());
                    link.put("previous_hash", previous);
                    link.put("archived_in", e.archivedIn());
                    line(w, Map.of("archived_event", link));
                } else {
                    Map<String, Object> view = e.view();
                    view.remove("archived_in");
                    view.put("previous_hash", previous);
                    line(w, view);
                }
                ExportSeal.add(digest, e.hash() == null ? "" : e.hash());
                count[0]++;
                if (range[0] == null) {
                    range[0] = e.sequence();
                }
                range[1] = e.sequence();
            });
            ExportSeal seal = checkpoints.seal(filtered, count[0], range[0], range[1], ExportSeal.hex(digest));
            line(w, Map.of("export_end", seal.view()));
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void csv(AuditQuery query, OutputStream out) {
        AuditChain.Head head = chain.head();
        Writer w = writer(out);
        try {
            w.write(String.join(",", CSV_COLUMNS));
            w.write("\r\n");
            repository.forEachMatching(query, linked -> {
                Map<String, Object> view = linked.event().view();
                view.put("previous_hash", previous(linked, head));
                try {
                    StringBuilder sb = new StringBuilder();
                    for (String column : CSV_COLUMNS) {
                        if (!sb.isEmpty()) {
                            sb.append(',');
                        }
                        sb.append(cell(view.get(column)));
                    }
                    w.write(sb.append("\r\n").toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String previous(AuditRepository.Linked linked, AuditChain.Head head) {
        if (linked.previousHash() != null) {
            return linked.previousHash();
        }
        return linked.event().sequence() == head.firstSequence() ? head.anchorHash() : null;
    }

    /**
     * One CSV cell (RFC 4180 quoting). A text that a spreadsheet would run as a formula ({@code =}, {@code +},
     * {@code -}, {@code @}, tab, carriage return first) gets a leading apostrophe: an export must never execute.
     */
    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value instanceof Map<?, ?> || value instanceof List<?> ? Canonical.json(value) : String.valueOf(value);
        if (!text.isEmpty() && !(value instanceof Number) && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0
                || text.startsWith("'")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }

    private static Writer writer(OutputStream out) {
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
    }

    private static void line(Writer w, Object value) {
        try {
            w.write(JSON.writeValueAsString(value));
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
