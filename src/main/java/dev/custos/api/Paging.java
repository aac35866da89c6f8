package dev.custos.api;

/** Limit/offset pagination as the spec uses it, validated so a bad value is a 400 naming the parameter. */
public record Paging(int limit, int offset) {

    public static Paging of(Integer limit, Integer offset, int defaultLimit, int maxLimit) {
        int l = limit == null ? defaultLimit : limit;
        int o = offset == null ? 0 : offset;
        if (l < 1 || l > maxLimit) {
            throw ApiException.badRequest("limit must be between 1 and " + maxLimit + " (got " + l + ")");
        }
        if (o < 0) {
            throw ApiException.badRequest("offset must be 0 or more (got " + o + ")");
        }
        return new Paging(l, o);
    }

    public boolean hasMore(int returned, long total) {
        return offset + returned < total;
    }
}
