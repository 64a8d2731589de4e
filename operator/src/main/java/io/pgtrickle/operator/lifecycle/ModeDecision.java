package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.operator.errors.UserFacingException;

/**
 * The refresh mode actually used for a stream table and, in words a user can act on, why. A
 * requested mode that cannot be honoured is refused here rather than silently degraded: only AUTO
 * may fall back to FULL.
 */
public record ModeDecision(String effectiveMode, String reason) {

    /** Decides the mode for {@code requested} given what the planner found. */
    public static ModeDecision decide(RefreshMode requested, Plan plan) {
        boolean incremental = plan.isDifferential();
        String why = String.join("; ", plan.reasons());
        return switch (requested) {
            case FULL -> new ModeDecision("FULL", "FULL requested in spec.refreshMode");
            case AUTO -> incremental
                    ? new ModeDecision("DIFFERENTIAL", "AUTO: the query is maintained incrementally; a refresh"
                            + " recomputes in FULL only when its batch is large relative to the sources")
                    : new ModeDecision("FULL", "AUTO: cannot be maintained incrementally: " + why);
            case DIFFERENTIAL -> {
                if (!incremental) {
                    throw new UnsupportedModeException("DIFFERENTIAL refresh cannot maintain this query: " + why,
                            "set spec.refreshMode to AUTO (falls back to FULL) or FULL, or rewrite the query");
                }
                yield new ModeDecision("DIFFERENTIAL", "DIFFERENTIAL requested in spec.refreshMode");
            }
            case IMMEDIATE -> throw new UnsupportedModeException("IMMEDIATE refresh is not available in this"
                    + " version yet", "set spec.refreshMode to AUTO, DIFFERENTIAL or FULL");
        };
    }

    /** The requested mode cannot be honoured; reported with reason {@code UnsupportedRefreshMode}. */
    public static final class UnsupportedModeException extends UserFacingException {
        public UnsupportedModeException(String message, String hint) {
            super(message, hint, null);
        }
    }
}
