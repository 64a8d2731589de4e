package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.RefreshPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshPolicySpec;

/**
 * The RefreshPolicy knobs a refresh itself uses, with the documented defaults.
 *
 * @param maxChangeRatio   AUTO recomputes in FULL when a batch exceeds this fraction of the sources' rows
 * @param learnFromHistory predict DIFFERENTIAL and FULL cost from past refreshes instead, when both are known
 */
public record RefreshTuning(double maxChangeRatio, boolean learnFromHistory) {
    public static final RefreshTuning DEFAULTS = new RefreshTuning(0.15, true);

    public static RefreshTuning of(RefreshPolicy policy) {
        RefreshPolicySpec spec = policy == null ? null : policy.getSpec();
        if (spec == null) {
            return DEFAULTS;
        }
        return new RefreshTuning(
                spec.getDifferentialMaxChangeRatio() == null ? DEFAULTS.maxChangeRatio() : spec.getDifferentialMaxChangeRatio(),
                spec.getLearnFromHistory() == null ? DEFAULTS.learnFromHistory() : spec.getLearnFromHistory());
    }
}
