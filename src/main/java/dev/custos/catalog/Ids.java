package dev.custos.catalog;

import java.security.SecureRandom;

/**
 * Unguessable ids with the spec's prefixes ({@code engine-…}, {@code db-…}, {@code policy-…}): 120 random
 * bits in lower-case base32, so an id leaks neither a count nor a creation order.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private Ids() {
    }

    public static String newId(String prefix) {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        StringBuilder sb = new StringBuilder(prefix.length() + 25).append(prefix).append('-');
        long buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(ALPHABET[(int) (buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return sb.toString();
    }
}
