package dev.custos.pipeline;

/**
 * A compression algorithm and its level. The file extension it adds to an object name is {@link Algorithm#extension}.
 */
public record CompressionSpec(Algorithm algorithm, int level) {

    public enum Algorithm {
        NONE("none", "", 0, 0, 0),
        GZIP("gzip", "gz", 1, 9, 6),
        LZ4("lz4", "lz4", 1, 17, 1),
        ZSTD("zstd", "zst", 1, 19, 3);

        private final String value;
        private final String extension;
        private final int minLevel;
        private final int maxLevel;
        private final int defaultLevel;

        Algorithm(String value, String extension, int minLevel, int maxLevel, int defaultLevel) {
            this.value = value;
            this.extension = extension;
            this.minLevel = minLevel;
            this.maxLevel = maxLevel;
            this.defaultLevel = defaultLevel;
        }

        public String value() {
            return value;
        }

        /** "" for none, else e.g. "zst" (without the dot). */
        public String extension() {
            return extension;
        }

        public int minLevel() {
            return minLevel;
        }

        public int maxLevel() {
            return maxLevel;
        }

        public int defaultLevel() {
            return defaultLevel;
        }

        public static Algorithm fromValue(String value) {
            for (Algorithm algorithm : values()) {
                if (algorithm.value.equals(value)) {
                    return algorithm;
                }
            }
            throw new IllegalArgumentException("unknown compression " + value);
        }
    }

    /** The spec's {@code compression: true}: zstd at level 3. */
    public static final CompressionSpec DEFAULT = new CompressionSpec(Algorithm.ZSTD, 3);
    public static final CompressionSpec NONE = new CompressionSpec(Algorithm.NONE, 0);

    public CompressionSpec {
        if (algorithm != Algorithm.NONE && (level < algorithm.minLevel || level > algorithm.maxLevel)) {
            throw new IllegalArgumentException(algorithm.value + " level must be between " + algorithm.minLevel
                    + " and " + algorithm.maxLevel + ", was " + level);
        }
    }

    public static CompressionSpec of(Algorithm algorithm) {
        return new CompressionSpec(algorithm, algorithm.defaultLevel);
    }
}
