package dev.custos.restores;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;
import dev.custos.backups.ExecutionLogs;

@RestController
@RequestMapping("/api")
class RestoreController {

    private final RestoreService restores;

    RestoreController(RestoreService restores) {
        this.restores = restores;
    }

    @PostMapping("/backups/{id}/restore")
    ResponseEntity<Map<String, Object>> restore(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        return accepted("Restore job queued", restores.restoreBackup(id, JsonBody.of(body), "manual"));
    }

    @PostMapping("/backups/{id}/verify")
    ResponseEntity<Map<String, Object>> verify(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        JsonBody json = JsonBody.of(body);
        String mode = json.oneOf("mode", List.of("checksum", "test_restore")).orElse("checksum");
        json.throwIfInvalid();
        return accepted(mode.equals("checksum") ? "Verification queued" : "Test restore queued",
                restores.verify(id, mode, "manual"));
    }

    /** The dump is the request body, streamed to storage; the target and options are query parameters. */
    @PostMapping(path = "/restores/upload")
    ResponseEntity<Map<String, Object>> upload(
            @RequestParam(name = "target_database_id", required = false) String targetDatabaseId,
            @RequestParam(name = "target_engine_id", required = false) String targetEngineId,
            @RequestParam(name = "target_database_name", required = false) String targetDatabaseName,
            @RequestParam(name = "database_type", required = false) String databaseType,
            @RequestParam(name = "create_snapshot", required = false) String createSnapshot,
            @RequestParam(name = "strict_delete", required = false) String strictDelete,
            @RequestParam(required = false) String confirm,
            @RequestParam(name = "keep_definers", required = false) String keepDefiners,
            @RequestParam(name = "no_owner", required = false) String noOwner,
            HttpServletRequest request) throws IOException {
        RestoreService.Request options = new RestoreService.Request(blankToNull(targetDatabaseId),
                blankToNull(targetEngineId), blankToNull(targetDatabaseName), flag("create_snapshot", createSnapshot, true),
                flag("strict_delete", strictDelete, false), confirm, flag("keep_definers", keepDefiners, false),
                flag("no_owner", noOwner, false));
        return accepted("Upload stored; restore job queued",
                restores.restoreUpload(request.getInputStream(), options, blankToNull(databaseType), "manual"));
    }

    @GetMapping("/restores")
    Map<String, Object> list(
            @RequestParam(name = "backup_id", required = false) String backupId,
            @RequestParam(name = "database_id", required = false) String databaseId,
            @RequestParam(required = false) String status,
            @RequestParam(name = "restore_type", required = false) String restoreType,
            @RequestParam(name = "database_type", required = false) String databaseType,
            @RequestParam(name = "start_date", required = false) String startDate,
            @RequestParam(name = "end_date", required = false) String endDate,
            @RequestParam(required = false) Integer page,
            @RequestParam(name = "page_size", required = false) Integer pageSize) {
        RestoreService.Page result = restores.list(new RestoreService.Query(backupId, databaseId, status, restoreType,
                databaseType, startDate, endDate), page, pageSize);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("restores", result.restores());
        body.put("count", result.restores().size());
        body.put("total_count", result.total());
        body.put("page", result.page());
        body.put("page_size", result.pageSize());
        body.put("has_more", result.hasMore());
        return body;
    }

    @GetMapping("/restores/{id}")
    Restore get(@PathVariable String id) {
        return restores.get(id);
    }

    @GetMapping("/restores/{id}/logs")
    Map<String, Object> logs(@PathVariable String id) {
        List<ExecutionLogs.Line> lines = restores.logs(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("restore_id", id);
        body.put("logs", lines);
        body.put("count", lines.size());
        return body;
    }

    @PostMapping("/restores/{id}/cancel")
    ResponseEntity<Map<String, Object>> cancel(@PathVariable String id) {
        Restore restore = restores.cancel(id);
        boolean ended = restore.state().isFinal();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", ended ? "Restore cancelled" : "Cancellation requested; the restore is being stopped");
        body.put("restore", restore);
        return ResponseEntity.status(ended ? HttpStatus.OK : HttpStatus.ACCEPTED).body(body);
    }

    @PostMapping("/restores/{id}/rollback")
    ResponseEntity<Map<String, Object>> rollback(@PathVariable String id) {
        return accepted("Rollback queued: the pre-restore snapshot is being restored", restores.rollback(id, "manual"));
    }

    private static ResponseEntity<Map<String, Object>> accepted(String message, Restore restore) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        body.put("restore_id", restore.id());
        body.put("restore", restore);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static boolean flag(String name, String value, boolean otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest(name + " must be true or false (got '" + value + "')");
        };
    }
}
