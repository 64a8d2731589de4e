package io.pgtrickle.operator.catalog;

import io.pgtrickle.operator.db.QualifiedName;

import java.util.List;

/**
 * What the catalog holds for refreshing one stream table: the SQL generated at install time (so
 * a refresh never re-plans) and the sources whose change buffers feed it.
 *
 * @param refreshSql  the DIFFERENTIAL statement, or null when the stream table is FULL
 * @param noFrontier  true when no refresh has committed yet (the next one must be FULL)
 * @param maxChangeRatio   the RefreshPolicy's AUTO threshold, copied at apply time
 * @param learnFromHistory whether AUTO predicts costs from past refreshes
 * @param suspended  spec.suspend: no refreshes until resumed (its change capture is released)
 * @param sourceTables the tables (and views) the query reads, under their current names (quoted,
 *                     comma-separated, in oid order), for {@code LOCK TABLE}, which refuses other kinds
 *                     (materialized views, foreign tables); null when none
 */
public record InstalledRefresh(QualifiedName table, String refreshMode, String effectiveMode, String loadSql,
                               String refreshSql, List<Long> sourceOids, boolean noFrontier,
                               double maxChangeRatio, boolean learnFromHistory, boolean suspended,
                               String sourceTables) {
    public InstalledRefresh {
        sourceOids = List.copyOf(sourceOids);
    }

    public boolean differential() {
        return "DIFFERENTIAL".equals(effectiveMode) && refreshSql != null;
    }

    /**
     * Whether its sources' changes are captured for it: always for DIFFERENTIAL; for FULL when the query's
     * result depends on those tables alone, so that a refresh can tell there is nothing to recompute.
     */
    public boolean captured() {
        // not a DIFFERENTIAL one whose statement was dropped (a source recreated, a captured column renamed):
        // it recomputes at every refresh until applied again
        return !sourceOids.isEmpty() && (differential() || "FULL".equals(effectiveMode));
    }

    /** Whether AUTO decides each refresh's mode from the batch (a DIFFERENTIAL stream table in AUTO). */
    public boolean decidesByBatch() {
        return differential() && "AUTO".equals(refreshMode);
    }
}
