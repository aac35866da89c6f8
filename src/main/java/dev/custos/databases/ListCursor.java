package dev.custos.databases;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.custos.api.ApiException;

/**
 * Where a page of {@code GET /api/databases} ended: the last database's name and id, in the list's order (name, id).
 * The next page starts after it, so a deep page costs as much as the first, where an {@code offset} walks every row
 * before it. Opaque to clients: base64url of name, NUL, id.
 */
record ListCursor(String name, String id) {

    static ListCursor after(DatabaseConfig last) {
        return new ListCursor(last.name(), last.id());
    }

    String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((name + '\0' + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a page gave, or a 400 naming {@code cursor}. */
    static ListCursor decode(String text) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        // Ids never hold a NUL; a name might: split at the last one.
        int cut = plain.lastIndexOf('\0');
        String id = cut < 0 ? "" : plain.substring(cut + 1);
        if (!id.startsWith("db-") || id.length() == "db-".length()) {
            throw invalid();
        }
        return new ListCursor(plain.substring(0, cut), id);
    }

    private static ApiException invalid() {
        return ApiException.badRequest("cursor is not one this API gave: pass the next_cursor of the previous page");
    }
}
