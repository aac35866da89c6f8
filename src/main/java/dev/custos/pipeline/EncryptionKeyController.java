package dev.custos.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/encryption-keys")
class EncryptionKeyController {

    private final EncryptionKeys keys;

    EncryptionKeyController(EncryptionKeys keys) {
        this.keys = keys;
    }

    @Operation(summary = "List backup encryption keys, newest first; never their material")
    @GetMapping
    Map<String, Object> list() {
        List<EncryptionKey> all = keys.list();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("keys", all);
        body.put("count", all.size());
        return body;
    }

    @Operation(summary = "Make a new key active for new backups and retire the current one; old backups stay readable")
    @PostMapping("/rotate")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> rotate() {
        EncryptionKeys.Rotation rotation = keys.rotate();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "Encryption key rotated; new backups are encrypted with " + rotation.keyId());
        body.put("key_id", rotation.keyId());
        body.put("retired_key_id", rotation.retiredKeyId());
        return body;
    }
}
