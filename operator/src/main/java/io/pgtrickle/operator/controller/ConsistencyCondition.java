package io.pgtrickle.operator.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.pgtrickle.crds.v1alpha1.Conditions;
import io.pgtrickle.crds.v1alpha1.StreamTableStatus;
import io.pgtrickle.operator.verify.Verification;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Consistent} condition of a StreamTable: the outcome of its last scheduled verification (True
 * {@code Verified}, False {@code Drift}, Unknown {@code NotVerified}), with counts but never rows in its message,
 * since whoever may read the resource need not be allowed to read the table. Present only while the RefreshPolicy
 * schedules verification.
 */
final class ConsistencyCondition {
    private ConsistencyCondition() {
    }

    /** {@code previous} with the Consistent condition set from {@code r}; every other field kept. */
    static StreamTableStatus with(StreamTableStatus previous, Verification.Result r) {
        String status;
        String reason;
        switch (r.verdict()) {
            case CONSISTENT -> {
                status = "True";
                reason = Conditions.REASON_VERIFIED;
            }
            case DIFFERS -> {
                status = "False";
                reason = Conditions.REASON_DRIFT;
            }
            default -> {
                status = "Unknown";
                reason = Conditions.REASON_NOT_VERIFIED;
            }
        }
        String message = "verified at " + r.at() + ": " + r.message() + (r.repair() == null ? "" : "; " + r.repair());
        StreamTableStatus s = copy(previous);
        String transition = r.at().toString();
        List<Condition> out = new ArrayList<>();
        for (Condition c : conditions(previous)) {
            if (!Conditions.CONSISTENT.equals(c.getType())) {
                out.add(c);
            } else if (status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                transition = c.getLastTransitionTime();
            }
        }
        out.add(new ConditionBuilder().withType(Conditions.CONSISTENT).withStatus(status).withReason(reason)
                .withMessage(message).withObservedGeneration(s.getObservedGeneration())
                .withLastTransitionTime(transition).build());
        s.setConditions(out);
        return s;
    }

    /** The Consistent condition of {@code s}, or null. */
    static Condition of(StreamTableStatus s) {
        return conditions(s).stream().filter(c -> Conditions.CONSISTENT.equals(c.getType())).findFirst().orElse(null);
    }

    /**
     * {@code previous} as is while verification is {@code scheduled}; otherwise without a Consistent condition, which
     * would go on reporting a verification that no longer runs.
     */
    static StreamTableStatus keepIf(StreamTableStatus previous, boolean scheduled) {
        if (scheduled || of(previous) == null) {
            return previous;
        }
        StreamTableStatus s = copy(previous);
        s.setConditions(conditions(previous).stream()
                .filter(c -> !Conditions.CONSISTENT.equals(c.getType())).toList());
        return s;
    }

    private static List<Condition> conditions(StreamTableStatus s) {
        return s == null || s.getConditions() == null ? List.of() : s.getConditions();
    }

    private static StreamTableStatus copy(StreamTableStatus p) {
        StreamTableStatus s = new StreamTableStatus();
        if (p != null) {
            s.setObservedGeneration(p.getObservedGeneration());
            s.setConditions(p.getConditions());
            s.setTable(p.getTable());
            s.setEffectiveRefreshMode(p.getEffectiveRefreshMode());
            s.setRefreshModeReason(p.getRefreshModeReason());
            s.setLastRefresh(p.getLastRefresh());
            s.setConsecutiveErrors(p.getConsecutiveErrors());
            s.setLastError(p.getLastError());
            s.setNextRefresh(p.getNextRefresh());
        }
        return s;
    }
}
