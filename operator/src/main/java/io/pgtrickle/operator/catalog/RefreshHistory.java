package io.pgtrickle.operator.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The bounds of {@code pgtrickle.refresh_history}: which rows AUTO learns from, the indexes that find
 * them without reading the rest, and the retention that keeps the table from growing with every
 * refresh. A stream table refreshed every second writes 86,400 rows a day; without these, the batch
 * query of each refresh walked a stream table's whole history whenever few rows qualified (a stream
 * table whose batches are mostly empty), and the zero-change refresh grew from 0.9 to 2.4 ms over
 * 3,000 refreshes.
 *
 * <p>Retention keeps the newest {@link #KEPT_ROWS} rows of each stream table, and, older than those,
 * the rows AUTO still learns from: the last {@link #KEPT_LEARNING} DIFFERENTIAL refreshes that
 * measured something and the last {@link #KEPT_FULL} FULL ones. So pruning never changes an AUTO
 * decision.
 */
public final class RefreshHistory {
    /**
     * DIFFERENTIAL batches smaller than this teach AUTO nothing about per-change cost: the fixed cost
     * of a refresh dominates them.
     */
    public static final int MIN_LEARNING_BATCH = 500;

    /** The rows AUTO learns DIFFERENTIAL costs from; also the predicate of their partial index. */
    public static final String LEARNING = "ok AND mode = 'DIFFERENTIAL' AND changes >= " + MIN_LEARNING_BATCH;

    /** The rows AUTO learns FULL costs from; also the predicate of their partial index. */
    public static final String FULL = "ok AND mode = 'FULL'";

    /**
     * FULL rows recorded by an apply (the initial load, or a recompute of a changed query) have no batch
     * size ({@code changes} is NULL); those recorded by a refresh have one.
     */
    public static final String MEASURED_FULL = FULL + " AND changes IS NOT NULL";

    /** The apply-time loads among the FULL rows (see {@link #MEASURED_FULL}). */
    public static final String LOAD = FULL + " AND changes IS NULL";

    /** AUTO reads at most this many learning rows of a stream table (newest first). */
    public static final int KEPT_LEARNING = 20;

    /** AUTO reads at most this many FULL rows of a stream table (newest first). */
    public static final int KEPT_FULL = 10;

    /** Rows of each stream table kept whatever they hold: the recent past a user inspects. */
    public static final int KEPT_ROWS = 1000;

    /** Retention runs after this many refreshes of a stream table (by one process), and after its first. */
    public static final int PRUNE_EVERY = 100;

    private RefreshHistory() {
    }

    /** Indexes of the history, created with the catalog (idempotent). */
    static void ensureIndexes(Statement s) throws SQLException {
        s.execute("CREATE INDEX IF NOT EXISTS refresh_history_st ON pgtrickle.refresh_history (namespace, name, id)");
        s.execute("CREATE INDEX IF NOT EXISTS refresh_history_learning ON pgtrickle.refresh_history"
                + " (namespace, name, id) WHERE " + LEARNING);
        s.execute("CREATE INDEX IF NOT EXISTS refresh_history_full ON pgtrickle.refresh_history"
                + " (namespace, name, id) WHERE " + FULL);
    }

    /** Each {@code ?} pair is (namespace, name). */
    private static final String PRUNE = """
            DELETE FROM pgtrickle.refresh_history
             WHERE namespace = ? AND name = ?
               AND id < (SELECT id FROM pgtrickle.refresh_history WHERE namespace = ? AND name = ?
                          ORDER BY id DESC OFFSET %1$d LIMIT 1)
               AND id NOT IN (SELECT id FROM pgtrickle.refresh_history WHERE namespace = ? AND name = ?
                                 AND %2$s ORDER BY id DESC LIMIT %3$d)
               AND id NOT IN (SELECT id FROM pgtrickle.refresh_history WHERE namespace = ? AND name = ?
                                 AND %4$s ORDER BY id DESC LIMIT %5$d)"""
            .formatted(KEPT_ROWS - 1, LEARNING, KEPT_LEARNING, FULL, KEPT_FULL);

    /** Applies the retention to one stream table's rows; returns how many were deleted. */
    public static int prune(Connection c, String namespace, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PRUNE)) {
            for (int i = 1; i <= 8; i += 2) {
                ps.setString(i, namespace);
                ps.setString(i + 1, name);
            }
            return ps.executeUpdate();
        }
    }
}
