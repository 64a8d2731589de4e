package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.RefreshMode;

/**
 * The refresh mode actually used for a stream table and, in words a user can act on, why.
 * Requested modes that this version cannot honour are refused here rather than silently degraded.
 */
public record ModeDecision(String effectiveMode, String reason) {

    /** Decides the mode for {@code requested}. */
    public static ModeDecision decide(RefreshMode requested) {
        return switch (requested) {
            case FULL -> new ModeDecision("FULL", "FULL requested in spec.refreshMode");
            case AUTO -> new ModeDecision("FULL",
                    "AUTO: incremental (DIFFERENTIAL) maintenance is not available in this version yet, so every"
                            + " refresh recomputes the query");
            case DIFFERENTIAL, IMMEDIATE -> throw new UnsupportedModeException(requested.name()
                    + " refresh is not available in this version yet",
                    "set spec.refreshMode to AUTO or FULL");
        };
    }

    /** The requested mode cannot be honoured; reported with reason {@code UnsupportedRefreshMode}. */
    public static final class UnsupportedModeException extends RuntimeException {
        private final String hint;

        public UnsupportedModeException(String message, String hint) {
            super(message);
            this.hint = hint;
        }

        public String hint() {
            return hint;
        }
    }
}
