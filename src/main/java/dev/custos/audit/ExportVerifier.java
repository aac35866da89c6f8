package dev.custos.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a JSONL export ({@code GET /api/audit/export?format=jsonl}) without the server, with nothing but the public
 * key: each event against its own hash (which covers the hash of the event before it), each run of consecutive events
 * as a chain, and the signed checkpoints the export carries against the events they cover. An export of the whole
 * trail must have no gaps; a filtered one has gaps by design, and its events are then proven one by one and, where a
 * run reaches a checkpoint, by the signature. The export's signed last line covers which events it holds (their
 * number, first and last sequence and a digest of their hashes) and whether it was filtered, so that removing lines or
 * passing an unfiltered export off as a filtered one is caught too. An archived event appears only as its place in
 * the chain ({@code archived_event}: sequence, hash, previous hash); its content is checked in its archive segment.
 */
public final class ExportVerifier {

    /** What the check found; {@code firstBadSequence}/{@code problem} are null when the export is intact. */
    public record Result(boolean valid, long events, Long firstSequence, Long lastSequence, boolean filtered,
            int checkpointsVerified, Long lastCheckpointSequence, long eventsCoveredBySignatures, long archivedEvents,
            Long firstBadSequence, String problem) {

        public Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("valid", valid);
            m.put("events", events);
            m.put("first_sequence", firstSequence);
            m.put("last_sequence", lastSequence);
            m.put("filtered", filtered);
            m.put("checkpoints_verified", checkpointsVerified);
            m.put("last_checkpoint_sequence", lastCheckpointSequence);
            m.put("events_covered_by_signatures", eventsCoveredBySignatures);
            m.put("archived_events", archivedEvents);
            m.put("first_bad_sequence", firstBadSequence);
            m.put("problem", problem);
            return m;
        }
    }

    private final PublicKeys.Key key;
    private final Map<Long, Checkpoint> checkpoints = new TreeMap<>();
    private boolean filtered;
    private boolean headerSeen;
    private long events;
    private Long first;
    private Long last;
    private String lastHash;
    private long runStart;
    private long coveredUpTo;
    private long covered;
    private long archivedEvents;
    private int checkpointsVerified;
    private Long lastCheckpoint;
    private Long bad;
    private String problem;
    private final MessageDigest digest = ExportSeal.newDigest();
    private boolean endSeen;

    private ExportVerifier(PublicKeys.Key key) {
        this.key = key;
    }

    public static Result verify(BufferedReader in, PublicKeys.Key key) throws IOException {
        ExportVerifier v = new ExportVerifier(key);
        String line;
        long number = 0;
        while ((line = in.readLine()) != null && v.problem == null) {
            number++;
            if (!line.isBlank()) {
                v.line(line, number);
            }
        }
        return v.finish();
    }

    private void line(String line, long number) {
        Object parsed;
        try {
            parsed = Canonical.parse(line);
        } catch (RuntimeException e) {
            fail(last == null ? null : last + 1, "line " + number + " is not JSON");
            return;
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            fail(last == null ? null : last + 1, "line " + number + " is not a JSON object");
            return;
        }
        if (endSeen) {
            fail(last == null ? null : last + 1, "line " + number + " follows the export's signed end line");
        } else if (map.get("export_end") instanceof Map<?, ?> end) {
            end(end);
        } else if (map.get("export") instanceof Map<?, ?> header) {
            headerSeen = true;
            filtered = Boolean.TRUE.equals(header.get("filtered"));
        } else if (map.get("checkpoint") instanceof Map<?, ?> c) {
            checkpoint(c, number);
        } else if (map.get("archived_event") instanceof Map<?, ?> a) {
            archived(a, number);
        } else if (map.containsKey("sequence") && map.containsKey("hash")) {
            event(map, number);
        } else {
            fail(last == null ? null : last + 1, "line " + number + " is neither the header, a checkpoint nor an event");
        }
    }

    private void checkpoint(Map<?, ?> c, long number) {
        try {
            Checkpoint cp = new Checkpoint(((Number) c.get("sequence")).longValue(), (String) c.get("hash"),
                    ((Number) c.get("created_at_ms")).longValue(), (String) c.get("key_id"), (String) c.get("signature"));
            checkpoints.put(cp.sequence(), cp);
        } catch (RuntimeException e) {
            fail(null, "the checkpoint on line " + number + " is malformed");
        }
    }

    /** An event whose content was archived: only its place in the chain is here, its hash taken as given. */
    private void archived(Map<?, ?> map, long number) {
        Place place = place(map, number, "archived event");
        if (place != null) {
            archivedEvents++;
            link(place.sequence(), place.hash(), place.previous());
        }
    }

    private void event(Map<?, ?> map, long number) {
        Place place = place(map, number, "event");
        if (place == null) {
            return;
        }
        Map<String, Object> fields = new HashMap<>();
        map.forEach((k, v) -> fields.put(String.valueOf(k), v));
        fields.remove("hash");
        fields.remove("previous_hash");
        if (!Canonical.chain(place.previous(), fields).equals(place.hash())) {
            fail(place.sequence(), "event " + place.sequence()
                    + " does not match its hash: it was changed after export or in the trail");
            return;
        }
        link(place.sequence(), place.hash(), place.previous());
    }

    /** An event's place in the chain as a line gives it. */
    private record Place(long sequence, String hash, String previous) {
    }

    /** The line's sequence, hash and previous hash; null (and the problem noted) when the header or one is missing. */
    private Place place(Map<?, ?> map, long number, String what) {
        if (!headerSeen) {
            fail(null, "the export has no header line before its first event");
            return null;
        }
        if (!(map.get("sequence") instanceof Number n) || !(map.get("hash") instanceof String hash)
                || !(map.get("previous_hash") instanceof String previous)) {
            fail(last == null ? null : last + 1, "the " + what + " on line " + number
                    + " lacks its sequence, hash or previous_hash");
            return null;
        }
        return new Place(n.longValue(), hash, previous);
    }

    /** Checks an event's place: after the one before it, linked to it when consecutive, and against a checkpoint. */
    private void link(long seq, String hash, String previous) {
        if (last != null) {
            if (seq <= last) {
                fail(seq, "event " + seq + " comes after event " + last + ": events were reordered or repeated");
                return;
            }
            if (seq == last + 1 && !previous.equals(lastHash)) {
                fail(seq, "event " + seq + " does not follow event " + last + ": an event between them was replaced");
                return;
            }
            if (seq > last + 1) {
                if (!filtered) {
                    fail(last + 1, "events " + (last + 1) + " to " + (seq - 1) + " are missing from an unfiltered export");
                    return;
                }
                runStart = seq;
            }
        } else {
            first = seq;
            runStart = seq;
        }
        Checkpoint c = checkpoints.get(seq);
        if (c != null) {
            if (!c.signedBy(key)) {
                fail(seq, "the checkpoint at event " + seq + " is not signed by key " + key.keyId());
                return;
            }
            if (!c.hash().equals(hash)) {
                fail(seq, "event " + seq + " does not match the signed checkpoint: the chain was rewritten");
                return;
            }
            checkpointsVerified++;
            lastCheckpoint = seq;
            long from = Math.max(runStart, coveredUpTo + 1);
            covered += seq - from + 1;
            coveredUpTo = seq;
        }
        events++;
        last = seq;
        lastHash = hash;
        ExportSeal.add(digest, hash);
    }

    private void end(Map<?, ?> end) {
        endSeen = true;
        ExportSeal seal;
        try {
            seal = ExportSeal.fromView(end);
        } catch (RuntimeException e) {
            fail(null, "the export's end line is malformed");
            return;
        }
        ExportSeal mine = new ExportSeal(filtered, events, first, last, ExportSeal.hex(digest), seal.keyId(),
                seal.signature());
        if (!mine.signedBy(key)) {
            fail(null, seal.keyId().equals(key.keyId())
                    ? "the export's events are not those its signed end line lists (" + seal.events()
                            + " events, sequences " + seal.firstSequence() + " to " + seal.lastSequence()
                            + "): lines were removed, added or changed"
                    : "the export is signed by key " + seal.keyId() + ", not by " + key.keyId());
        }
    }

    private Result finish() {
        if (problem == null && !headerSeen) {
            fail(null, "the export has no header line");
        }
        if (problem == null && !endSeen) {
            fail(last == null ? null : last + 1, "the export has no signed end line: it was cut short");
        }
        if (problem == null && !filtered && last != null) {
            for (Checkpoint c : checkpoints.values()) {
                if (c.sequence() > last) {
                    fail(last + 1, "events " + (last + 1) + " to " + c.sequence()
                            + " are missing: a signed checkpoint in the export covers them");
                    break;
                }
            }
        }
        return new Result(problem == null, events, first, last, filtered, checkpointsVerified, lastCheckpoint, covered,
                archivedEvents, bad, problem);
    }

    private void fail(Long sequence, String message) {
        if (problem == null) {
            bad = sequence;
            problem = message;
        }
    }
}
