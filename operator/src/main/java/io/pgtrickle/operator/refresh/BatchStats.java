package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.catalog.InstalledRefresh;
import io.pgtrickle.operator.catalog.RefreshHistory;
import io.pgtrickle.operator.cdc.ChangeCapture;
import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.lifecycle.StreamTableKey;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the batch holds, in one query: markers (a source truncated, or its change capture lost; null when
 * none), whether it is empty, its size, the sources' size
 * and what past refreshes cost (for AUTO). AUTO counts the batch up to {@code countedUpTo} (where it
 * recomputes in full whatever it learnt); otherwise the count stops past
 * {@link RefreshTransaction#PREPARED_MAX_CHANGES}.
 */
record BatchStats(String marker, long changes, long sourceRows, RefreshCosts costs, long countedUpTo) {
    /** The marker of a truncated source (see {@code ChangeCapture}). */
    static final String TRUNCATE = "truncate";

    /** The marker of a write the trigger could not capture (see {@code ChangeCapture}). */
    static final String CAPTURE_LOST = "capture lost";

    /** Not a marker row: a source's name resolves to another table than the one captured. */
    static final String REPLACED = "replaced";

    boolean empty() {
        return marker == null && changes == 0;
    }

    /**
     * The batch-stats query of each stream table, as last built: sent in the first round trip of the
     * next refresh (one round trip fewer), and used if the row still has the same sources and policy.
     */
    static final Map<StreamTableKey, Query> QUERIES = new ConcurrentHashMap<>();

    record Query(List<Long> sourceOids, boolean differential, boolean decidesByBatch, double maxChangeRatio,
                 String sql) {
        boolean fits(InstalledRefresh r) {
            return r.captured() && !r.noFrontier() && sourceOids.equals(r.sourceOids())
                    && differential == r.differential() && decidesByBatch == r.decidesByBatch()
                    && maxChangeRatio == r.maxChangeRatio();
        }
    }

    private static String batch(long oid, String prev) {
        return "SELECT 1 FROM " + ChangeCapture.bufferTable(oid) + " WHERE NOT pg_visible_in_snapshot(\"__pgt_xid\", "
                + prev + ") AND \"__pgt_xid\" >= pg_snapshot_xmin(" + prev + ")";
    }

    static BatchStats query(Connection c, StreamTableKey key, InstalledRefresh r) throws SQLException {
        if (r.noFrontier()) {
            return new BatchStats(TRUNCATE, 0, 0, RefreshCosts.NONE, Long.MAX_VALUE);
        }
        String prev = RefreshTransaction.previousFrontier(key);
        String oids = r.sourceOids().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("0");
        boolean auto = r.decidesByBatch();
        // AUTO needs the size, up to the point where it recomputes in full anyway (counting a batch of
        // half the table costs a good part of a FULL refresh); otherwise it is enough to know whether
        // the batch is small, and for FULL whether it is empty.
        String limit = auto ? "(SELECT counted + 1 FROM s)"
                : !r.differential() ? "1" : Integer.toString(RefreshTransaction.PREPARED_MAX_CHANGES + 1);
        StringBuilder changes = new StringBuilder("0");
        for (long oid : r.sourceOids()) {
            changes.append("\n  + (SELECT count(*) FROM (" + batch(oid, prev) + " LIMIT " + limit + ") b)");
        }
        String history = "SELECT %s FROM pgtrickle.refresh_history WHERE namespace = "
                + Identifiers.literal(key.namespace()) + " AND name = " + Identifiers.literal(key.name())
                + " AND %s ORDER BY id DESC LIMIT %d";
        // The history is read only for a batch with changes (an empty batch needs no decision), so the
        // refresh of an idle stream table does not pay for it: PostgreSQL runs a subquery only when its
        // CASE branch is taken.
        String learnt = "CASE WHEN (SELECT changes FROM b) > 0 THEN (%s) END";
        String sql = (auto ? "WITH s AS (SELECT n, nullif(ceil(n * " + AutoDecision.EXPLORE_RATIO * r.maxChangeRatio()
                + "), 0)::bigint AS counted FROM (SELECT coalesce(sum(" + RowEstimate.of("c")
                + "), 0)::bigint AS n FROM pg_class c WHERE c.oid IN (" + oids + ")) t),\nd AS ("
                + history.formatted("id, changes, duration_ms", RefreshHistory.LEARNING, RefreshHistory.KEPT_LEARNING)
                + "),\nb AS (SELECT " + changes + " AS changes)\n" : "")
                // First: a source's name now names another table, or none (dropped; created again, or renamed and
                // replaced): its changes do not reach the captured table's buffer. By the names capture recorded
                // (every captured source has them, even one PostgreSQL's plan drops) and the ones this stream
                // table recorded (capture's are the last installer's).
                + "SELECT coalesce((SELECT '" + REPLACED + "' FROM (SELECT source_oid, source_schema, source_table"
                + " FROM pgtrickle.change_buffers UNION ALL SELECT source_oid, source_schema, source_table"
                + " FROM pgtrickle.stream_table_sources WHERE namespace = " + Identifiers.literal(key.namespace())
                + " AND name = " + Identifiers.literal(key.name()) + ") s WHERE s.source_oid IN (" + oids
                + ") AND (to_regclass(format('%I.%I', s.source_schema, s.source_table)) <> s.source_oid::oid::regclass"
                + " OR NOT EXISTS (SELECT 1 FROM pg_class k WHERE k.oid = s.source_oid::oid)) LIMIT 1),\n"
                // kind read through to_jsonb: a marker table from before kinds existed has none (until the
                // next apply adds it) and holds only truncations; the table is tiny
                + "  (SELECT min(coalesce(to_jsonb(m) ->> 'kind', '" + TRUNCATE + "'))"
                + " FROM pgtrickle_changes.truncates m WHERE source_oid IN (" + oids
                + ") AND NOT pg_visible_in_snapshot(\"__pgt_xid\", " + prev + ") AND \"__pgt_xid\" >= pg_snapshot_xmin("
                + prev + "))),\n" + (auto ? "(SELECT changes FROM b)" : changes) + ",\n"
                + (auto ? "(SELECT n FROM s), " + learnt.formatted("SELECT array_agg(changes) FROM d") + ", "
                + learnt.formatted("SELECT array_agg(duration_ms) FROM d") + ",\n"
                + learnt.formatted("SELECT coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM ("
                + history.formatted("duration_ms AS x", RefreshHistory.MEASURED_FULL, 5) + ") h), (SELECT "
                + AutoDecision.LOAD_TO_FULL + " * x FROM (" + history.formatted("duration_ms AS x", RefreshHistory.LOAD, 1)
                + ") l))") + ", (SELECT counted FROM s),\n"
                + learnt.formatted("SELECT count(*) FROM (" + history.formatted("1", RefreshHistory.FULL
                + " AND id > coalesce((SELECT max(id) FROM d), 0)", AutoDecision.RETRY_AFTER_FULL) + ") f")
                : "0, NULL, NULL, NULL, NULL, NULL");
        QUERIES.put(key, new Query(r.sourceOids(), r.differential(), auto, r.maxChangeRatio(), sql));
        // The text is the same at every refresh of this stream table: prepared once per connection.
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            RefreshTransaction.serverPrepared(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return read(rs, r);
            }
        }
    }

    static BatchStats read(ResultSet rs, InstalledRefresh r) throws SQLException {
        rs.next();
        RefreshCosts costs = RefreshCosts.NONE;
        long counted = Long.MAX_VALUE;
        if (r.decidesByBatch()) {
            double full = rs.getDouble(6);
            full = rs.wasNull() ? Double.NaN : full;
            costs = new RefreshCosts(longs(rs.getArray(4)), doubles(rs.getArray(5)), full, rs.getLong(8));
            counted = rs.getLong(7);
            counted = rs.wasNull() ? Long.MAX_VALUE : counted;
        }
        return new BatchStats(rs.getString(1), rs.getLong(2), rs.getLong(3), costs, counted);
    }

    private static long[] longs(Array a) throws SQLException {
        return a == null ? new long[0] : Arrays.stream((Object[]) a.getArray())
                .mapToLong(x -> ((Number) x).longValue()).toArray();
    }

    private static double[] doubles(Array a) throws SQLException {
        return a == null ? new double[0] : Arrays.stream((Object[]) a.getArray())
                .mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }
}
