package dev.custos.backups;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tools.jackson.databind.JsonNode;

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;
import dev.custos.audit.AuditLog;
import dev.custos.storage.StorageBackend;

@RestController
@RequestMapping("/api")
class BackupController {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final BackupService backups;
    private final DownloadLinks links;
    private final StorageBackend storage;
    private final AuditLog audit;
    private final BackupProperties properties;
    private final org.springframework.transaction.support.TransactionTemplate tx;

    private final BackupLocks locks;

    BackupController(BackupService backups, DownloadLinks links, StorageBackend storage, AuditLog audit,
            BackupProperties properties, org.springframework.transaction.PlatformTransactionManager transactions,
            BackupLocks locks) {
        this.locks = locks;
        this.backups = backups;
        this.links = links;
        this.storage = storage;
        this.audit = audit;
        this.properties = properties;
        this.tx = new org.springframework.transaction.support.TransactionTemplate(transactions);
    }

    @PostMapping("/databases/{id}/backup")
    ResponseEntity<Map<String, Object>> trigger(@PathVariable String id) {
        BackupService.Queued queued = backups.trigger(id, "manual", List.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "Backup job queued");
        body.put("job_id", queued.jobId());
        body.put("queue_message_id", queued.queueMessageId());
        body.put("backup_id", queued.backupId());
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
    }

    @GetMapping("/backups")
    Map<String, Object> list(
            @RequestParam(name = "database_id", required = false) String databaseId,
            @RequestParam(name = "engine_id", required = false) String engineId,
            @RequestParam(required = false) String status,
            @RequestParam(name = "triggered_by", required = false) String triggeredBy,
            @RequestParam(name = "database_type", required = false) String databaseType,
            @RequestParam(name = "start_date", required = false) String startDate,
            @RequestParam(name = "end_date", required = false) String endDate,
            @RequestParam(required = false) Integer page,
            @RequestParam(name = "page_size", required = false) Integer pageSize) {
        BackupService.Page result = backups.list(new BackupService.Query(databaseId, engineId, status, triggeredBy,
                databaseType, startDate, endDate), page, pageSize);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("backups", result.backups());
        body.put("count", result.backups().size());
        body.put("total_count", result.total());
        body.put("page", result.page());
        body.put("page_size", result.pageSize());
        body.put("has_more", result.hasMore());
        return body;
    }

    @GetMapping("/backups/{id}")
    Backup get(@PathVariable String id) {
        return backups.get(id);
    }

    @GetMapping("/backups/{id}/logs")
    Map<String, Object> logs(@PathVariable String id) {
        List<ExecutionLogs.Line> lines = backups.logs(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("backup_id", id);
        body.put("logs", lines);
        body.put("count", lines.size());
        return body;
    }

    @PostMapping("/backups/{id}/cancel")
    ResponseEntity<Map<String, Object>> cancel(@PathVariable String id) {
        Backup backup = backups.cancel(id);
        Map<String, Object> body = new LinkedHashMap<>();
        boolean ended = backup.state().isFinal();
        body.put("message", ended ? "Backup cancelled" : "Cancellation requested; the dump is being stopped");
        body.put("backup", backup);
        return ResponseEntity.status(ended ? HttpStatus.OK : HttpStatus.ACCEPTED).body(body);
    }

    /** A legal hold: the backup is kept whatever retention says, and cannot be deleted, until unlocked. */
    @PostMapping("/backups/{id}/lock")
    Map<String, Object> lock(@PathVariable String id, @RequestBody(required = false) JsonNode node) {
        return hold(locks.lock(id, reason(node)), "Backup locked");
    }

    @PostMapping("/backups/{id}/unlock")
    Map<String, Object> unlock(@PathVariable String id, @RequestBody(required = false) JsonNode node) {
        return hold(locks.unlock(id, reason(node)), "Backup unlocked; retention applies to it again");
    }

    private static String reason(JsonNode node) {
        JsonBody body = JsonBody.of(node);
        String reason = body.nonBlankString("reason", BackupLocks.MAX_REASON).orElse(null);
        body.throwIfInvalid();
        return reason;
    }

    private static Map<String, Object> hold(Backup backup, String message) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message", message);
        out.put("backup", backup);
        return out;
    }

    @GetMapping("/backups/files")
    Map<String, Object> files(@RequestParam(required = false) String prefix, @RequestParam(required = false) Integer limit) {
        List<BackupService.File> files = backups.files(prefix, limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("files", files);
        body.put("count", files.size());
        return body;
    }

    @GetMapping("/backups/download")
    Map<String, Object> download(@RequestParam(name = "blob_name", required = false) String blobName,
            @RequestParam(name = "expiry_hours", required = false) Integer expiryHours, HttpServletRequest request) {
        String name = BackupService.blobName(blobName, "blob_name");
        int hours = expiryHours == null ? DownloadLinks.DEFAULT_EXPIRY_HOURS : expiryHours;
        if (hours < 1 || hours > DownloadLinks.MAX_EXPIRY_HOURS) {
            throw ApiException.badRequest("expiry_hours must be between 1 and " + DownloadLinks.MAX_EXPIRY_HOURS
                    + " (got " + hours + ")");
        }
        BackupService.Found found = backups.find(name);
        DownloadLinks.Signed signed = links.sign(name, hours);
        tx.executeWithoutResult(s -> audit.success(BackupEvents.downloadLinkIssued(
                found.backup().orElseGet(() -> Backup.outsideHistory(name)), name, hours)));
        String base = properties.publicUrl() == null || properties.publicUrl().isBlank()
                ? ServletUriComponentsBuilder.fromContextPath(request).build().toUriString()
                : properties.publicUrl().replaceAll("/+$", "");
        String url = base + "/api/backups/download/file?blob_name=" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                + "&expires=" + signed.expires() + "&signature=" + signed.signature();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("download_url", url);
        body.put("blob_name", name);
        body.put("expires_in_hours", hours);
        body.put("expires_at", dev.custos.catalog.Timestamps.format(java.time.Instant.ofEpochSecond(signed.expires())));
        body.put("file_size_bytes", found.object().size());
        return body;
    }

    /**
     * Serves a signed download link: the object's stored bytes, streamed, with single-range support so an
     * interrupted download of a large backup can resume.
     */
    @GetMapping("/backups/download/file")
    void serve(@RequestParam(name = "blob_name", required = false) String blobName,
            @RequestParam(required = false) Long expires, @RequestParam(required = false) String signature,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        String refusal = blobName == null || expires == null || signature == null
                ? "Download link is incomplete: blob_name, expires and signature are required"
                : links.refusal(blobName, expires, signature);
        if (refusal != null) {
            refused(blobName, refusal);
            throw new ApiException(HttpStatus.FORBIDDEN, refusal);
        }
        String name = BackupService.blobName(blobName, "blob_name");
        BackupService.Found found = backups.find(name);
        long size = found.object().size();
        long start = 0;
        long end = size - 1;
        String range = request.getHeader("Range");
        boolean partial = false;
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                if (m.group(1).isEmpty()) {
                    start = Math.max(0, size - Long.parseLong(m.group(2)));
                } else {
                    start = Long.parseLong(m.group(1));
                    end = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                }
                if (start >= size || start > end) {
                    response.setHeader("Content-Range", "bytes */" + size);
                    throw new ApiException(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                            "Range " + range + " is outside the file's " + size + " bytes");
                }
                partial = true;
            }
            // A Range header we do not understand (several ranges, other units) is ignored: the whole file is sent.
        }
        long length = size == 0 ? 0 : end - start + 1;
        String servedRange = partial ? "bytes " + start + "-" + end + "/" + size : null;
        tx.executeWithoutResult(s -> audit.success(BackupEvents.fileServed(
                found.backup().orElseGet(() -> Backup.outsideHistory(name)), name, servedRange, length)));
        response.setStatus(partial ? HttpStatus.PARTIAL_CONTENT.value() : HttpStatus.OK.value());
        response.setContentType(BackupService.contentType(name));
        response.setHeader("Accept-Ranges", "bytes");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + BackupEvents.fileName(name) + "\"");
        if (found.backup().map(Backup::checksumSha256).isPresent() && !partial) {
            response.setHeader("X-Checksum-Sha256", found.backup().get().checksumSha256());
        }
        if (partial) {
            response.setHeader("Content-Range", servedRange);
        }
        response.setContentLengthLong(length);
        if (length == 0) {
            return;
        }
        try (InputStream in = partial ? storage.read(name, start, length) : storage.read(name)) {
            OutputStream out = response.getOutputStream();
            in.transferTo(out);
        }
    }

    /**
     * An altered, expired or incomplete link to a backup is an attempt to read its data that was refused: a failed
     * {@code backup_file_served}. A name that is no object name at all names no backup and is not recorded.
     */
    private void refused(String blobName, String refusal) {
        if (blobName == null || !BackupService.isBlobName(blobName)) {
            return;
        }
        Backup backup = backups.record(blobName).orElseGet(() -> Backup.outsideHistory(blobName));
        tx.executeWithoutResult(s -> audit.failure(BackupEvents.fileServed(backup, blobName, null, 0), refusal));
    }

    @DeleteMapping("/backups/delete")
    Map<String, Object> delete(@RequestParam(name = "blob_name", required = false) String blobName) {
        String name = BackupService.blobName(blobName, "blob_name");
        backups.delete(name, "manual");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "Backup '" + name + "' deleted successfully");
        body.put("blob_name", name);
        return body;
    }

    @PostMapping("/backups/delete-bulk")
    Map<String, Object> deleteBulk(@RequestBody(required = false) JsonNode node) {
        JsonBody body = JsonBody.of(node);
        if (!body.has("blob_names") || body.isNull("blob_names") || !body.raw("blob_names").orElseThrow().isArray()) {
            throw ApiException.badRequest("blob_names array is required");
        }
        List<String> names = body.stringList("blob_names").orElse(List.of());
        body.throwIfInvalid();
        BackupService.BulkResult result = backups.deleteBulk(names);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("deleted", result.deleted());
        results.put("not_found", result.notFound());
        results.put("errors", result.errors());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message", "Deleted " + result.deleted().size() + " backup(s)");
        out.put("deleted_count", result.deleted().size());
        out.put("not_found_count", result.notFound().size());
        out.put("error_count", result.errors().size());
        out.put("results", results);
        return out;
    }
}
