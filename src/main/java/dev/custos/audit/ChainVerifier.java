package dev.custos.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Checks a run of events against the hash chain and the signed checkpoints, event by event in sequence order, and
 * names the first sequence number that is wrong. The same code checks the catalog ({@code GET /api/audit/verify}) and
 * an export without the server ({@code custos audit verify}).
 * <ul>
 * <li>an edited event no longer matches its hash;</li>
 * <li>a deleted event leaves a gap in the sequence (and a deleted tail is caught by a later checkpoint or the head);</li>
 * <li>moved events are hashed against the wrong predecessor;</li>
 * <li>an inserted event has no valid hash, or shifts the numbers after it;</li>
 * <li>a rewritten chain (every hash recomputed) no longer matches the signed checkpoints.</li>
 * </ul>
 * An archived event's content is in its archive segment, so only its hash links it into the chain; which events an
 * archive emptied is recorded by the (chained) {@code audit_archived} event as a digest of their sequence numbers and
 * hashes, so an event emptied outside Custos, or a hash swapped in an emptied one, is caught too.
 */
public final class ChainVerifier {

    /** What a check found. {@code firstBadSequence} and {@code problem} are null when everything matched. */
    public record Result(boolean valid, long checkedEvents, Long firstSequence, Long lastSequence, Long firstBadSequence,
            String problem, int checkpointsVerified, Long lastCheckpointSequence, long archivedEvents) {

        public Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("valid", valid);
            m.put("checked_events", checkedEvents);
            m.put("archived_events", archivedEvents);
            m.put("first_sequence", firstSequence);
            m.put("last_sequence", lastSequence);
            m.put("first_bad_sequence", firstBadSequence);
            m.put("problem", problem);
            m.put("checkpoints_verified", checkpointsVerified);
            m.put("last_checkpoint_sequence", lastCheckpointSequence);
            m.put("events_after_last_checkpoint", lastSequence == null ? 0
                    : lastSequence - (lastCheckpointSequence == null ? (firstSequence - 1) : lastCheckpointSequence));
            return m;
        }
    }

    private final NavigableMap<Long, Checkpoint> checkpoints = new TreeMap<>();
    private final PublicKeys.Key key;
    private final long firstExpected;
    private long expected;
    private String previous;
    private long checked;
    private Long lastSeen;
    private Long badSequence;
    private String problem;
    private int checkpointsVerified;
    private Long lastCheckpoint;
    private final boolean checkArchives;
    private long archived;
    private final Map<String, Segment> emptied = new LinkedHashMap<>();
    private final Map<String, Map<?, ?>> recorded = new LinkedHashMap<>();

    /** The emptied events of one archive segment as found in the chain. */
    private static final class Segment {
        final MessageDigest digest = ExportSeal.newDigest();
        final long first;
        long events;

        Segment(long first) {
            this.first = first;
        }

        void add(long sequence, String hash) {
            ExportSeal.addLink(digest, sequence, hash);
            events++;
        }
    }

    /**
     * @param firstSequence the sequence the run must start with
     * @param previousHash  the hash before it: the anchor of the chain (or the genesis), or for a part of the chain the
     *                      stored hash of the event before the part
     * @param checkpoints   the checkpoints that fall in the run
     * @param key           the public key the checkpoints must be signed with
     * @param checkArchives  whether the emptied events must match what the {@code audit_archived} events record (only
     *                       a check of the whole chain sees both)
     */
    public ChainVerifier(long firstSequence, String previousHash, List<Checkpoint> checkpoints, PublicKeys.Key key,
            boolean checkArchives) {
        this.checkArchives = checkArchives;
        this.firstExpected = firstSequence;
        this.expected = firstSequence;
        this.previous = previousHash;
        this.key = key;
        for (Checkpoint c : checkpoints) {
            this.checkpoints.put(c.sequence(), c);
        }
    }

    /** Checks the next event; returns false once a problem was found (later events are not looked at). */
    public boolean accept(AuditRecord event) {
        return accept(event, null);
    }

    /**
     * Checks the next events in order. Each event's canonical encoding does not depend on the chain, so the encodings
     * of the batch are made on every core first; only the hashing that links them runs in order.
     */
    public boolean acceptAll(List<AuditRecord> events) {
        byte[][] encoded = new byte[events.size()][];
        IntStream.range(0, events.size()).parallel().forEach(i -> {
            AuditRecord e = events.get(i);
            encoded[i] = e.archived() ? null : Canonical.json(e.fields()).getBytes(StandardCharsets.UTF_8);
        });
        for (int i = 0; i < encoded.length; i++) {
            if (!accept(events.get(i), encoded[i])) {
                return false;
            }
        }
        return true;
    }

    private boolean accept(AuditRecord event, byte[] encoded) {
        if (problem != null) {
            return false;
        }
        long s = event.sequence();
        if (s < expected) {
            return fail(s, "event " + s + " appears again after event " + (expected - 1)
                    + ": events were inserted or reordered");
        }
        if (s > expected) {
            return fail(expected, "event " + expected + (s == expected + 1 ? " is" : " to " + (s - 1) + " are")
                    + " missing: deleted from the trail");
        }
        if (event.hash() == null) {
            return fail(s, "event " + s + " has no hash: it was not written by Custos");
        }
        String computed;
        if (event.archived()) {
            // Its content is in the archive; its hash is taken as stored and proven by the next event and the digest.
            computed = event.hash();
            emptied.computeIfAbsent(event.archivedIn(), k -> new Segment(s)).add(s, computed);
            archived++;
        } else {
            computed = encoded == null ? event.expectedHash(previous) : Canonical.chain(previous, encoded);
            if (!computed.equals(event.hash())) {
                return fail(s, "event " + s + " does not match its hash: it was changed, inserted or moved");
            }
            if ("audit_archived".equals(event.action()) && event.details() instanceof Map<?, ?> d
                    && d.get("segment") instanceof String segment) {
                recorded.put(segment, d);
            }
        }
        Checkpoint c = checkpoints.get(s);
        if (c != null) {
            if (!c.signedBy(key)) {
                return fail(s, "the checkpoint at event " + s + " is not signed by the audit key " + key.keyId()
                        + (c.keyId().equals(key.keyId()) ? "" : " (it names key " + c.keyId() + ")"));
            }
            if (!c.hash().equals(computed)) {
                Long before = lastCheckpoint;
                return fail(before == null ? firstExpected : before + 1, "the chain does not match the signed checkpoint"
                        + " at event " + s + ": events " + (before == null ? firstExpected : before + 1) + " to " + s
                        + " were rewritten and their hashes recomputed");
            }
            checkpointsVerified++;
            lastCheckpoint = s;
        }
        previous = computed;
        checked++;
        lastSeen = s;
        expected = s + 1;
        return true;
    }

    /**
     * Ends the run. {@code lastExpected} is the sequence the run must end with (the chain head, or the end of the range
     * asked for), or null when unknown; a signed checkpoint beyond the last event also proves events were cut off.
     */
    public Result finish(Long lastExpected) {
        if (problem == null) {
            long last = expected - 1;
            if (lastExpected != null && last < lastExpected) {
                fail(last + 1, "events " + (last + 1) + " to " + lastExpected + " are missing: the trail was cut short");
            } else if (lastExpected != null && last > lastExpected) {
                fail(lastExpected + 1, "events " + (lastExpected + 1) + " to " + last + " lie beyond the chain head ("
                        + lastExpected + "): they were added outside Custos");
            } else {
                Map.Entry<Long, Checkpoint> beyond = checkpoints.higherEntry(last);
                if (beyond != null) {
                    fail(last + 1, "events " + (last + 1) + " to " + beyond.getKey() + " are missing: a signed checkpoint"
                            + " covers event " + beyond.getKey());
                }
            }
        }
        if (problem == null && checkArchives) {
            checkArchives();
        }
        return new Result(problem == null, checked, checked == 0 ? null : firstExpected, lastSeen, badSequence, problem,
                checkpointsVerified, lastCheckpoint, archived);
    }

    private void checkArchives() {
        for (Map.Entry<String, Segment> e : emptied.entrySet()) {
            Segment found = e.getValue();
            Map<?, ?> record = recorded.get(e.getKey());
            if (record == null) {
                fail(found.first, "event " + found.first + " and " + (found.events - 1) + " more were emptied as archived in "
                        + e.getKey() + ", but no audit_archived event records that archive: emptied outside Custos");
                return;
            }
            String digest = ExportSeal.hex(found.digest);
            if (!digest.equals(record.get("digest"))
                    || !(record.get("events") instanceof Number n && n.longValue() == found.events)) {
                fail(found.first, "the events emptied as archived in " + e.getKey() + " (" + found.events
                        + ", from event " + found.first + ") are not those its audit_archived event records ("
                        + record.get("events") + "): events were emptied or changed outside Custos");
                return;
            }
        }
    }

    private boolean fail(long sequence, String message) {
        badSequence = sequence;
        problem = message;
        return false;
    }
}
