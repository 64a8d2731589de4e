package io.pgtrickle.operator.generated;

import io.pgtrickle.operator.generated.DmlGenerator.Batch;
import io.pgtrickle.operator.lifecycle.RefreshTuning;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of a generated run: cases (query × batch) checked and failed, queries by planned
 * mode, refreshes by the mode they ran in, failures by {@link FailureClass}, and the first failure
 * of each failing query (what the shrinker works on).
 */
final class GenStats {
    /** The first failure of one query in its group, with everything needed to replay it. */
    record FailedQuery(int group, int index, GenQuery query, List<Batch> batches, GenReplay.Failure failure,
                       RefreshTuning tuning) {
        String origin(long seed) {
            return "seed " + seed + ", group " + group + ", query " + index + ", batch " + failure.batch();
        }
    }

    int cases;
    int failedCases;
    int skippedDuplicateCases;
    int queries;
    int differentialPlans;
    int fullPlans;
    int differentialRefreshes;
    int fullRefreshes;
    /** Refreshes that wrote at least one storage row (the others found their stream table unchanged). */
    int writingRefreshes;
    int failedTransactions;
    /** Cases equal by the contract (each type's equality) whose text differs, e.g. numeric -1.00 for -1. */
    int textOnlyCases;
    final Map<String, String> textOnlyExamples = new TreeMap<>();
    final Map<FailureClass, Integer> failedQueriesByClass = new EnumMap<>(FailureClass.class);
    final Map<String, Integer> fullReasons = new TreeMap<>();
    /** Reason → the first query planned FULL for it. */
    final Map<String, String> fullExamples = new TreeMap<>();
    final List<FailedQuery> failures = new ArrayList<>();

    void plan(String mode, String reason, String sql) {
        if ("DIFFERENTIAL".equals(mode)) {
            differentialPlans++;
        } else {
            fullPlans++;
            String r = reason == null ? "?" : reason.replaceAll("\\s+", " ");
            r = r.length() > 110 ? r.substring(0, 110) + "…" : r;
            fullReasons.merge(r, 1, Integer::sum);
            fullExamples.putIfAbsent(r, sql);
        }
    }

    void refreshed(GenLab.Check c) {
        String mode = c.mode();
        if (c.written() > 0) {
            writingRefreshes++;
        }
        if ("DIFFERENTIAL".equals(mode)) {
            differentialRefreshes++;
        } else if ("FULL".equals(mode)) {
            fullRefreshes++;
        }
    }

    /** Counts a check; a text-only difference is kept as an example (one per query). */
    void checked(GenLab.Check c, String sql) {
        if (c.kind() == GenLab.Kind.TEXT_ONLY) {
            textOnlyCases++;
            if (textOnlyExamples.size() < 20) {
                textOnlyExamples.putIfAbsent(sql, c.detail());
            }
        }
    }

    void failed(FailedQuery f) {
        failures.add(f);
        failedQueriesByClass.merge(f.failure().cls(), 1, Integer::sum);
    }

    List<FailedQuery> unknown() {
        return failures.stream().filter(f -> f.failure().cls() == FailureClass.UNKNOWN
                || f.failure().cls() == FailureClass.GENERATOR).toList();
    }

    String summary(long seed, long millis) {
        return String.format("[gen] seed %d: %d cases (query × batch), %d queries (%d DIFFERENTIAL, %d FULL plans),"
                        + " refreshes %d DIFFERENTIAL / %d FULL (%d writing rows), %d failed cases, %d skipped as duplicates,"
                        + " failing queries by class %s, %d cases equal but printed differently, %d rolled-back"
                        + " transactions, %.1f s",
                seed, cases, queries, differentialPlans, fullPlans, differentialRefreshes, fullRefreshes, writingRefreshes,
                failedCases,
                skippedDuplicateCases, failedQueriesByClass, textOnlyCases, failedTransactions, millis / 1000.0);
    }
}
