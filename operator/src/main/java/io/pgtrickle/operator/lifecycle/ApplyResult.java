package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.operator.catalog.StreamTableRecord;

import java.util.List;

/**
 * What {@code apply} did: whether the storage was (re)built and loaded, and the resulting catalog row.
 *
 * @param rebuilt true when the storage was (re)computed: created or recreated and loaded, or recomputed in place
 * @param inPlace true when the query changed but stores the same columns: the existing table was kept and
 *                brought up to date by a FULL refresh (only the rows that differ written)
 * @param rejectedPlan why PostgreSQL rejected the incremental plan at this apply (the stream table was then
 *                installed in FULL), or null
 * @param repairedStorage the storage table had been dropped (by hand): it was created again and loaded
 * @param warnings what the user should know although the apply succeeded (a superuser operator role)
 */
public record ApplyResult(StreamTableRecord record, boolean rebuilt, boolean inPlace, String rejectedPlan,
                          boolean repairedStorage, List<String> warnings) {
    public ApplyResult {
        warnings = List.copyOf(warnings);
    }

    ApplyResult withRejectedPlan(String reason) {
        return new ApplyResult(record, rebuilt, inPlace, reason, repairedStorage, warnings);
    }
}
