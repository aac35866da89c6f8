package dev.custos.api;

/**
 * The {@code page}/{@code page_size} pagination of the history endpoints (backups, restores), validated so a bad
 * value is a 400 naming the parameter.
 *
 * @param page   1-based
 * @param size   rows per page
 * @param offset rows before the page
 */
public record PageNumbers(int page, int size, int offset) {

    public static final int DEFAULT_SIZE = 25;

    public static PageNumbers of(Integer page, Integer pageSize, int maxSize) {
        int p = page == null ? 1 : page;
        int size = pageSize == null ? DEFAULT_SIZE : pageSize;
        if (p < 1) {
            throw ApiException.badRequest("page must be 1 or more (got " + p + ")");
        }
        if (size < 1 || size > maxSize) {
            throw ApiException.badRequest("page_size must be between 1 and " + maxSize + " (got " + size + ")");
        }
        long offset = (long) (p - 1) * size;
        if (offset > Integer.MAX_VALUE) {
            throw ApiException.badRequest("page is too large (got " + p + ")");
        }
        return new PageNumbers(p, size, (int) offset);
    }

    /** Whether rows follow this page. */
    public boolean hasMore(long total) {
        return (long) page * size < total;
    }
}
