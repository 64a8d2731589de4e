package io.pgtrickle.operator.catalog;

import io.pgtrickle.operator.db.QualifiedName;

import java.util.List;

/**
 * What the catalog holds for refreshing one stream table: the SQL generated at install time (so
 * a refresh never re-plans) and the sources whose change buffers feed it.
 *
 * @param refreshSql  the DIFFERENTIAL statement, or null when the stream table is FULL
 * @param refreshSqlBySource per source (in {@code sourceOids} order), the DIFFERENTIAL statement for a
 *                    batch in which only that source has changes; empty for a single source
 * @param noFrontier  true when no refresh has committed yet (the next one must be FULL)
 * @param maxChangeRatio   the RefreshPolicy's AUTO threshold, copied at apply time
 * @param learnFromHistory whether AUTO predicts costs from past refreshes
 */
public record InstalledRefresh(QualifiedName table, String refreshMode, String effectiveMode, String loadSql,
                               String refreshSql, List<String> refreshSqlBySource, List<Long> sourceOids, boolean noFrontier,
                               double maxChangeRatio, boolean learnFromHistory) {
    public InstalledRefresh {
        refreshSqlBySource = List.copyOf(refreshSqlBySource);
        sourceOids = List.copyOf(sourceOids);
    }

    /**
     * The statement for a batch with {@code changesBySource[i]} change rows of {@code sourceOids[i]}:
     * the per-source one when a single source changed (the other sources' delta terms are left out),
     * otherwise the full one.
     */
    public String refreshSqlFor(long[] changesBySource) {
        int changed = -1;
        for (int i = 0; i < changesBySource.length; i++) {
            if (changesBySource[i] > 0) {
                if (changed >= 0 && !sourceOids.get(changed).equals(sourceOids.get(i))) {
                    return refreshSql;
                }
                changed = i;
            }
        }
        return changed < 0 || refreshSqlBySource.size() != sourceOids.size() ? refreshSql
                : refreshSqlBySource.get(changed);
    }

    public boolean differential() {
        return "DIFFERENTIAL".equals(effectiveMode) && refreshSql != null;
    }
}
