package dev.custos.storage;

import java.nio.charset.StandardCharsets;

/**
 * The one rule for object keys, the same for every backend: relative, '/'-separated names that cannot climb out of
 * the store, hide a control character in a log line, or collide with a backend's own temporary files. Names come
 * from users (downloads, deletes), so every problem is an {@link IllegalArgumentException} saying what is wrong.
 */
public final class StorageKeys {

    public static final int MAX_LENGTH = 1024;
    /** Longest segment most filesystems accept (bytes of UTF-8). */
    public static final int MAX_SEGMENT_BYTES = 255;
    /** Names a backend gives its unfinished uploads; no key segment may start with it, so list never shows one. */
    public static final String TEMP_PREFIX = ".tmp-";

    private StorageKeys() {
    }

    /** @return {@code key}, when it is a valid object key */
    public static String validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("storage key must not be empty");
        }
        if (key.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("storage key must be at most " + MAX_LENGTH + " characters (got "
                    + key.length() + ")");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("storage key " + shown(key) + " must not contain control characters");
            }
            if (c == '\\') {
                throw new IllegalArgumentException("storage key " + shown(key) + " must not contain a backslash");
            }
        }
        if (key.startsWith("/")) {
            throw new IllegalArgumentException("storage key " + shown(key) + " must be relative, not start with /");
        }
        int start = 0;
        while (true) {
            int slash = key.indexOf('/', start);
            String segment = slash < 0 ? key.substring(start) : key.substring(start, slash);
            checkSegment(key, segment);
            if (slash < 0) {
                return key;
            }
            start = slash + 1;
        }
    }

    /** A prefix for {@code list}: empty (everything), or a key's beginning, which may end with '/' or mid-name. */
    public static String validatePrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("storage prefix must not be null (use \"\" for every object)");
        }
        if (!prefix.isEmpty()) {
            // A prefix obeys the key rules; a trailing '/' only says "inside this folder".
            validate(prefix.endsWith("/") ? prefix + "x" : prefix);
        }
        return prefix;
    }

    /** Whether a file name found in a store could be a key's segment: what {@code list} may show. */
    public static boolean isValidSegment(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.startsWith(TEMP_PREFIX)
                || name.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\\' || c == '/') {
                return false;
            }
        }
        return true;
    }

    private static void checkSegment(String key, String segment) {
        if (segment.isEmpty()) {
            throw new IllegalArgumentException("storage key " + shown(key) + " must not have empty segments (// or a trailing /)");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw new IllegalArgumentException("storage key " + shown(key) + " must not contain . or .. segments");
        }
        if (segment.startsWith(TEMP_PREFIX)) {
            throw new IllegalArgumentException("storage key " + shown(key) + " must not have a segment starting with "
                    + TEMP_PREFIX + " (reserved for writes in progress)");
        }
        if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("storage key " + shown(key) + " has a segment longer than "
                    + MAX_SEGMENT_BYTES + " bytes");
        }
    }

    /** The key quoted for a message: control characters never reach a log line, and a huge key is cut. */
    private static String shown(String key) {
        StringBuilder sb = new StringBuilder(Math.min(key.length(), 120) + 2).append('\'');
        for (int i = 0; i < key.length() && i < 100; i++) {
            char c = key.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        if (key.length() > 100) {
            sb.append('…');
        }
        return sb.append('\'').toString();
    }
}
