package dev.custos.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

import dev.custos.catalog.Timestamps;
import dev.custos.storage.StorageBackend;
import dev.custos.storage.StoredObject;

/**
 * A {@link Manifest} as the JSON file beside its object ({@code <object key>.manifest.json}): pretty, snake_case,
 * times as {@code 2024-01-15T12:00:00.000Z}. Its own mapper, not the API's, so the stored format changes only here.
 * Fields it does not know are ignored on read, so an older Custos reads what a newer one wrote.
 */
@Component
public class ManifestCodec {

    /**
     * A manifest is a page of JSON, plus a fingerprint of some 100 bytes per table; anything much larger is not one,
     * and is not read into memory.
     */
    static final int MAX_BYTES = 16 * 1024 * 1024;

    private final JsonMapper json = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // A field missing from an older manifest reads as 0; the checks below name the ones that matter.
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule("custos-manifest").addSerializer(Instant.class, new ValueSerializer<>() {
                @Override
                public void serialize(Instant value, JsonGenerator gen, SerializationContext ctxt) {
                    gen.writeString(Timestamps.format(value));
                }
            }))
            .build();

    /** Stores the manifest beside its object, write-once like every object. */
    public StoredObject write(StorageBackend storage, Manifest manifest) throws IOException {
        byte[] bytes = toJson(manifest);
        return storage.write(Manifest.keyFor(manifest.objectKey()), out -> out.write(bytes));
    }

    /** The manifest of the object at {@code objectKey}. @throws dev.custos.storage.NoSuchObjectException when it has none */
    public Manifest read(StorageBackend storage, String objectKey) throws IOException {
        String key = Manifest.keyFor(objectKey);
        byte[] bytes;
        try (InputStream in = storage.read(key)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IntegrityException("Manifest '" + key + "' is larger than " + MAX_BYTES + " bytes: not a manifest");
        }
        return fromJson(key, bytes);
    }

    /** A manifest kept as a file outside any storage (a copied backup, the disaster tools' {@code --manifest}). */
    public Manifest read(java.nio.file.Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IntegrityException("Manifest '" + file + "' is larger than " + MAX_BYTES + " bytes: not a manifest");
        }
        return fromJson(file.toString(), bytes);
    }

    /** A JSON document as a tree, to carry inside a manifest as it is. */
    public JsonNode tree(String json) {
        return this.json.readTree(json);
    }

    public byte[] toJson(Manifest manifest) {
        return (json.writeValueAsString(manifest) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    public Manifest fromJson(String key, byte[] bytes) throws IntegrityException {
        Manifest manifest;
        try {
            manifest = json.readValue(bytes, Manifest.class);
        } catch (JacksonException e) {
            throw new IntegrityException("Manifest '" + key + "' is not valid: " + e.getOriginalMessage(), false, e);
        }
        if (manifest == null || manifest.formatVersion() < 1 || manifest.objectKey() == null || manifest.sha256() == null) {
            throw new IntegrityException("Manifest '" + key + "' lacks format_version, object_key or sha256");
        }
        return manifest;
    }
}
