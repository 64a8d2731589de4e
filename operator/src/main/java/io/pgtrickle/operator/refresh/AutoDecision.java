package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.catalog.InstalledRefresh;
import io.pgtrickle.operator.catalog.RefreshHistory;

/**
 * Whether one refresh applies its batch (DIFFERENTIAL) or recomputes in full, and why, in words a
 * user reads in the status: no frontier yet, a truncated source or lost capture, or, for AUTO, a batch too large for
 * the RefreshPolicy's ratio or for the costs learnt from this stream table's past refreshes.
 */
final class AutoDecision {
    /** Batches smaller than this teach nothing about per-change cost (see {@link RefreshHistory}). */
    static final int MIN_LEARNING_BATCH = RefreshHistory.MIN_LEARNING_BATCH;

    /** AUTO learns from history once it has this many DIFFERENTIAL refreshes of at least {@link #MIN_LEARNING_BATCH}. */
    static final int MIN_DIFFERENTIAL_SAMPLES = 3;

    /** After this many FULL refreshes in a row, AUTO measures DIFFERENTIAL again on a batch within the ratio. */
    static final int RETRY_AFTER_FULL = RefreshHistory.KEPT_FULL; // the history keeps what this counts

    /**
     * AUTO with learnt costs tries DIFFERENTIAL once on a batch larger than any measured (up to this
     * multiple of the RefreshPolicy's ratio), rather than extrapolating small batches' costs. Beyond
     * this multiple AUTO always recomputes in full, and stops counting the batch there.
     */
    static final double EXPLORE_RATIO = 2.0;

    /**
     * Until a refresh has measured a FULL refresh, AUTO takes this multiple of the apply's load as its cost.
     * The load fills an empty table; a FULL refresh also deletes every old row and, for keyed storage,
     * rebuilds the key with them: 1.5 to 2.1 times the load, measured after a 50 % batch (the standard
     * workload's scan: 178 ms to load 100,000 rows, 263–295 ms to refresh them in full; its filter: 56 ms,
     * 116–121 ms). Taken as is, the load made AUTO try one FULL refresh too early, whose cost then showed.
     */
    static final double LOAD_TO_FULL = 2.0;

    /** The reason of a refresh whose source's name now names another table (see {@link BatchStats#REPLACED}). */
    static final String REPLACED = "a source table was dropped and created again, or another table took its name:"
            + " recomputing in FULL until this stream table is applied again";

    private AutoDecision() {
    }

    /**
     * Whether a FULL refresh of this batch is one AUTO chose for the batch's size (beyond twice the
     * ratio, or beyond the ratio without learning), so that most rows are expected to change: the FULL
     * refresh then loads instead of comparing (see {@code FullRefresh}). Not for a batch with a marker,
     * whose size says nothing of what changed (a truncated source is usually loaded again).
     */
    static boolean largeBatch(InstalledRefresh r, BatchStats b) {
        if (r.noFrontier() || b.marker() != null || !"AUTO".equals(r.refreshMode())) {
            return false;
        }
        return b.changes() > (r.learnFromHistory() ? explorationBound(r, b) : r.maxChangeRatio() * b.sourceRows());
    }

    /** The largest batch AUTO still measures DIFFERENTIAL on: {@link #EXPLORE_RATIO} times the ratio. */
    private static double explorationBound(InstalledRefresh r, BatchStats b) {
        return EXPLORE_RATIO * r.maxChangeRatio() * b.sourceRows();
    }

    /** Why this refresh must recompute in full, or null when DIFFERENTIAL applies. */
    static String fullReason(InstalledRefresh r, BatchStats b) {
        if (r.noFrontier()) {
            return "no previous refresh to continue from";
        }
        if (BatchStats.CAPTURE_LOST.equals(b.marker())) {
            return "the change capture of a source was removed (a captured column dropped with CASCADE?);"
                    + " recomputing in FULL until the stream table is applied again";
        }
        if (BatchStats.REPLACED.equals(b.marker())) {
            return REPLACED;
        }
        if (b.marker() != null) {
            return "a source table was truncated";
        }
        if (!"AUTO".equals(r.refreshMode()) || b.changes() == 0) {
            return null;
        }
        if (b.changes() > b.countedUpTo()) {
            // counted only up to here: see BatchStats.query
            return String.format("AUTO: more than %d changed rows, %.0f%% of the sources' %d rows (%.0f times the"
                    + " %.0f%% ratio)", b.countedUpTo(), 100.0 * b.countedUpTo() / b.sourceRows(), b.sourceRows(),
                    EXPLORE_RATIO, 100 * r.maxChangeRatio());
        }
        RefreshCosts costs = b.costs();
        boolean withinExploration = b.changes() <= explorationBound(r, b);
        if (r.learnFromHistory() && !costs.knowsBoth() && withinExploration) {
            // Still learning: measure DIFFERENTIAL rather than trust the ratio. The ratio alone is a poor
            // guide for storage whose FULL refresh is costly (a row-level stream table: every row deleted,
            // loaded and indexed again, about 4 times a DIFFERENTIAL refresh of a 10 % batch), and a
            // stream table whose batches always exceed it would otherwise never learn.
            return null;
        }
        if (r.learnFromHistory() && costs.knowsBoth()) {
            // Learnt costs decide in both directions; the static ratio is only the fallback.
            double predicted = costs.predictDifferential(b.changes());
            if (predicted <= costs.fullMs()) {
                return null;
            }
            // Larger than every batch measured so far: the per-change cost of small batches carries their
            // fixed cost and overstates a large one. Measure once, within reach of the ratio.
            if (!costs.measuredUpTo(b.changes()) && withinExploration) {
                return null;
            }
            // Only FULL for a while: measure again, so that one slow DIFFERENTIAL refresh (a cold cache, a
            // concurrent vacuum) is not final.
            if (costs.fullsSinceDifferential() >= RETRY_AFTER_FULL && withinExploration) {
                return null;
            }
            return String.format("AUTO (learnt): %d changes would take about %.0f ms DIFFERENTIAL, a FULL refresh"
                    + " about %.0f ms", b.changes(), predicted, costs.fullMs());
        }
        if (b.sourceRows() > 0 && b.changes() > r.maxChangeRatio() * b.sourceRows()) {
            return String.format("AUTO: %d changed rows are %.0f%% of the sources' %d rows, above %.0f%%", b.changes(),
                    100.0 * b.changes() / b.sourceRows(), b.sourceRows(), 100 * r.maxChangeRatio());
        }
        return null;
    }
}
