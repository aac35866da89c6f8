package dev.custos.pipeline;

/**
 * The outcome of reading a stored object whole: what was found, and whether it matches what was recorded.
 *
 * @param ok          size and SHA-256 match, it decrypted and decompressed, and gave the recorded raw size
 * @param message     what is wrong, or "verified"
 * @param storedBytes bytes read from storage (up to the failure)
 * @param sha256      lower-case hex SHA-256 of the stored bytes read; null when reading stopped early
 * @param rawBytes    bytes the object decoded to (up to the failure)
 * @param decryptable false when the object could not be decrypted with its key (always true when not encrypted)
 */
public record Verification(boolean ok, String message, long storedBytes, String sha256, long rawBytes,
        boolean decryptable) {
}
