package io.pgtrickle.operator.refresh;

/**
 * How many rows a table holds now, as PostgreSQL's planner estimates it: the density of its last
 * ANALYZE or VACUUM ({@code reltuples / relpages}) times its current size in pages. AUTO's ratio and
 * the FULL refresh's shape both compare against it.
 *
 * <p>Not {@code greatest(reltuples, pg_stat_get_live_tuples)}: the live-tuple count runs ahead of the
 * truth after a load analyzed at once (the load's counts reach the statistics after ANALYZE has set
 * them, so 1,000 rows inserted and analyzed read as 2,000), and {@code reltuples} alone misses
 * growth since. The live-tuple count is the fallback for a table never analyzed or vacuumed, or empty
 * when it was.
 */
final class RowEstimate {
    private RowEstimate() {
    }

    /** A float8 SQL expression over the {@code pg_class} row {@code alias}; never negative. */
    static String of(String alias) {
        return ("CASE WHEN %1$s.reltuples >= 0 AND %1$s.relpages > 0"
                + " THEN %1$s.reltuples / %1$s.relpages * (pg_relation_size(%1$s.oid) / current_setting('block_size')::float8)"
                + " ELSE greatest(%1$s.reltuples, pg_stat_get_live_tuples(%1$s.oid), 0) END").formatted(alias);
    }
}
