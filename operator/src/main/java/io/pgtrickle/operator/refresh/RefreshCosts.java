package io.pgtrickle.operator.refresh;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What recent refreshes of one stream table cost, as AUTO learns it from {@code refresh_history}:
 * DIFFERENTIAL refreshes as (change rows, ms) pairs, FULL refreshes as their median ms, and how many
 * FULL refreshes ran since the last DIFFERENTIAL one that taught something.
 *
 * <p>The cost of a DIFFERENTIAL refresh is not proportional to its batch: a fixed part (round trips,
 * the MERGE's start-up) dominates small batches, and the rows written grow slower than the changes
 * read (an aggregate writes at most one row per group). So a prediction uses the batches of
 * comparable size (within a factor of 2) when there are any, and says when it extrapolates.
 */
record RefreshCosts(long[] diffChanges, double[] diffMs, double fullMs, long fullsSinceDifferential) {
    static final RefreshCosts NONE = new RefreshCosts(new long[0], new double[0], Double.NaN, 0);

    /** Enough DIFFERENTIAL refreshes that one slow outlier does not decide, and at least one FULL one. */
    boolean knowsBoth() {
        return diffChanges.length >= AutoDecision.MIN_DIFFERENTIAL_SAMPLES && !Double.isNaN(fullMs);
    }

    /** Comparable batches a prediction needs before it stops exploring: one slow refresh does not decide. */
    static final int MIN_COMPARABLE = 2;

    /** True when {@link #MIN_COMPARABLE} DIFFERENTIAL refreshes measured batches at least half this large. */
    boolean measuredUpTo(long changes) {
        int comparable = 0;
        for (long c : diffChanges) {
            if (2 * c >= changes) {
                comparable++;
            }
        }
        return comparable >= MIN_COMPARABLE;
    }

    /** Predicted ms of a DIFFERENTIAL refresh of {@code changes} change rows (NaN when never measured). */
    double predictDifferential(long changes) {
        List<Double> near = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < diffChanges.length; i++) {
            double perChange = diffMs[i] / diffChanges[i];
            all.add(perChange);
            if (2 * diffChanges[i] >= changes && diffChanges[i] <= 2 * changes) {
                near.add(perChange);
            }
        }
        List<Double> use = near.isEmpty() ? all : near;
        return use.isEmpty() ? Double.NaN : median(use) * changes;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
