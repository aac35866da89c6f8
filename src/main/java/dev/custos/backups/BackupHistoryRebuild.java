package dev.custos.backups;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.Ids;
import dev.custos.catalog.JsonColumns;
import dev.custos.pipeline.Manifest;
import dev.custos.pipeline.ManifestCodec;
import dev.custos.pipeline.RecoveredKeys;
import dev.custos.storage.StorageBackend;
import dev.custos.storage.StoredObject;

/**
 * Recreates the backup history from the manifests in storage, after the catalog was lost: every manifest whose
 * object is there becomes a {@code completed} backup again, and every encryption key a manifest carries comes back
 * (retired). What the catalog already knows is left as it is, so it can run twice, or on a catalog that survived in
 * part. What a manifest does not hold is lost with the catalog: the engine, the tier, who triggered it (recorded as
 * {@code catalog_rebuild}), its logs and verifications.
 */
@Component
public class BackupHistoryRebuild {

    /** Staged uploads of restores: inputs, not backups, and never with a manifest. */
    static final String UPLOADS = "uploads/";

    private final BackupRepository repository;
    private final RecoveredKeys keys;
    private final ManifestCodec manifests;
    private final AuditLog audit;
    private final Clock clock;

    /**
     * Builds its own repository and key table access from the catalog's connection, so that the disaster tools can
     * make one without the rest of the backups feature (its workers above all).
     */
    public BackupHistoryRebuild(JdbcClient jdbc, JsonColumns json, ManifestCodec manifests, AuditLog audit, Clock clock) {
        this.repository = new BackupRepository(jdbc, json);
        this.keys = new RecoveredKeys(jdbc);
        this.manifests = manifests;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * What a rebuild found and did.
     *
     * @param manifests              manifests found in storage
     * @param inserted               backups added to the history
     * @param skipped                backups the history had already (same object or same id)
     * @param keysRestored           encryption keys added to the catalog
     * @param objectsWithoutManifest objects that are no backup Custos can describe: made elsewhere, or their
     *                               manifest was lost
     * @param problems               manifests that were not used, and why (unreadable, object missing or of
     *                               another size)
     * @param keysets                every sealed keyset the manifests carry, by key id, for a caller that checks
     *                               the master key opens them
     */
    public record Report(int manifests, int inserted, int skipped, int keysRestored, List<String> objectsWithoutManifest,
            List<String> problems, Map<String, String> keysets) {
    }

    public Report rebuild(StorageBackend storage) throws IOException {
        // One listing of the whole store: a key is some 100 bytes, so even a million objects fit in memory.
        List<StoredObject> objects = storage.list("", Integer.MAX_VALUE);
        Set<String> names = new HashSet<>();
        objects.forEach(o -> names.add(o.key()));
        Instant now = clock.instant();
        int found = 0;
        int inserted = 0;
        int skipped = 0;
        List<String> withoutManifest = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> keysets = new LinkedHashMap<>();
        Map<String, Instant> keyCreated = new LinkedHashMap<>();
        for (StoredObject object : objects) {
            String key = object.key();
            if (key.startsWith(UPLOADS)) {
                continue;
            }
            if (!key.endsWith(Manifest.SUFFIX)) {
                if (!names.contains(Manifest.keyFor(key))) {
                    withoutManifest.add(key);
                }
                continue;
            }
            found++;
            String objectKey = key.substring(0, key.length() - Manifest.SUFFIX.length());
            Manifest manifest;
            try {
                manifest = manifests.read(storage, objectKey);
            } catch (IOException e) {
                problems.add(key + ": " + e.getMessage());
                continue;
            }
            Optional<StoredObject> stored = storage.stat(objectKey);
            if (stored.isEmpty()) {
                problems.add(key + ": its object " + objectKey + " is missing");
                continue;
            }
            if (stored.get().size() != manifest.storedBytes()) {
                problems.add(key + ": its object is " + stored.get().size() + " bytes, the manifest says "
                        + manifest.storedBytes() + " (check it with custos decrypt)");
                continue;
            }
            if (manifest.encryptionKeyId() != null && manifest.encryptionKeyset() != null) {
                keysets.putIfAbsent(manifest.encryptionKeyId(), manifest.encryptionKeyset());
                Instant at = firstKnown(manifest.startedAt(), manifest.completedAt(), now);
                keyCreated.merge(manifest.encryptionKeyId(), at, (a, b) -> a.isBefore(b) ? a : b);
            }
            if (repository.insertRecovered(recovered(objectKey, manifest, now))) {
                inserted++;
            } else {
                skipped++;
            }
        }
        int keysRestored = 0;
        for (Map.Entry<String, String> keyset : keysets.entrySet()) {
            if (keys.restore(keyset.getKey(), keyset.getValue(), keyCreated.get(keyset.getKey()), now)) {
                keysRestored++;
            }
        }
        Report report = new Report(found, inserted, skipped, keysRestored, List.copyOf(withoutManifest),
                List.copyOf(problems), Map.copyOf(keysets));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("manifests", found);
        details.put("inserted", inserted);
        details.put("skipped", skipped);
        details.put("keys_restored", keysRestored);
        details.put("objects_without_manifest", withoutManifest.size());
        details.put("problems", problems.size());
        audit.success(AuditEvent.of("backup_history_rebuilt", "catalog", null, null, details));
        return report;
    }

    /**
     * The row {@link BackupRunner} would have written. The object's name is where it was found, which is the
     * manifest's own unless the storage was reorganised; the ids and the database's kind fall back to what the
     * object's path ({@code <type>/<database id>/<name>}) tells, for a manifest that lacks them.
     */
    private static BackupRepository.Recovered recovered(String objectKey, Manifest m, Instant now) {
        String[] path = objectKey.split("/");
        String databaseId = m.databaseId() != null ? m.databaseId() : path.length > 2 ? path[1] : "unknown";
        String type = m.engineType() != null ? m.engineType() : path.length > 2 ? path[0] : "unknown";
        Instant started = firstKnown(m.startedAt(), m.completedAt(), now);
        Instant completed = firstKnown(m.completedAt(), m.startedAt(), now);
        return new BackupRepository.Recovered(m.backupId() != null ? m.backupId() : Ids.newId("backup"), databaseId,
                m.databaseAlias(), type, objectKey, m.fileFormat(), m.compression(), m.compressionLevel(),
                m.encryptionKeyId(), m.storedBytes(), m.rawBytes(), m.sha256(), m.serverVersion(), m.tool(),
                m.toolVersion(), m.warnings() == null ? List.of() : m.warnings(),
                m.fingerprint() == null ? null : m.fingerprint().toString(), started.toEpochMilli(),
                completed.toEpochMilli(), now.toEpochMilli());
    }

    private static Instant firstKnown(Instant first, Instant second, Instant otherwise) {
        return first != null ? first : second != null ? second : otherwise;
    }
}
