package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.dvm.plan.SourceUse;

import java.util.List;

/**
 * The answer to {@code pgtrickle explain}: how a stream table would be maintained and the SQL that
 * would do it.
 *
 * @param effectiveMode DIFFERENTIAL, FULL, or UNSUPPORTED when the requested mode cannot be honoured
 * @param deltaSql      the consolidated change as a SELECT (null when not incremental)
 * @param refreshSql    the statement of one DIFFERENTIAL refresh (null when not incremental)
 */
public record Explanation(String effectiveMode, String reason, List<String> plannerReasons, List<SourceUse> sources,
                          List<String> storageDdl, String deltaSql, String refreshSql, String readSql) {
}
