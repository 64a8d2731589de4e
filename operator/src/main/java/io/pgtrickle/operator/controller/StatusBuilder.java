package io.pgtrickle.operator.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.pgtrickle.crds.v1alpha1.Conditions;
import io.pgtrickle.crds.v1alpha1.LastError;
import io.pgtrickle.crds.v1alpha1.LastRefresh;
import io.pgtrickle.crds.v1alpha1.StreamTableStatus;
import io.pgtrickle.operator.catalog.StreamTableRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a StreamTable's status from what is installed (the catalog row) and the outcome of the
 * last reconcile. {@code lastTransitionTime} of a condition changes only when its status does, as
 * the Kubernetes API conventions require.
 */
public final class StatusBuilder {
    private StatusBuilder() {
    }

    /** Status of an installed stream table; Ready follows its catalog row. */
    public static StreamTableStatus fromRecord(StreamTableStatus previous, StreamTableRecord r, Long generation,
                                               String reason, String message, Instant nextRefresh) {
        StreamTableStatus s = new StreamTableStatus();
        s.setObservedGeneration(generation);
        s.setTable(r.qualifiedTable());
        s.setEffectiveRefreshMode(r.effectiveMode());
        s.setRefreshModeReason(r.modeReason());
        s.setConsecutiveErrors(r.consecutiveErrors());
        if (r.lastRefreshAt() != null) {
            LastRefresh lr = new LastRefresh();
            lr.setTime(r.lastRefreshAt().toString());
            lr.setDurationMs(r.lastRefreshMs() == null ? null : Math.round(r.lastRefreshMs()));
            lr.setRows(r.lastRefreshRows());
            lr.setMode(r.lastRefreshMode());
            lr.setReason(r.lastRefreshReason());
            s.setLastRefresh(lr);
        }
        if (r.lastError() != null) {
            LastError le = new LastError();
            le.setTime(r.lastErrorAt() == null ? null : r.lastErrorAt().toString());
            le.setMessage(r.lastError());
            le.setHint(r.lastErrorHint());
            s.setLastError(le);
        } else if (previous != null && r.consecutiveErrors() == 0) {
            s.setLastError(null);
        }
        s.setNextRefresh(nextRefresh == null ? null : nextRefresh.toString());
        boolean ready = r.ready() && reason.equals(Conditions.REASON_REFRESHED);
        s.setConditions(withReady(previous, ready ? "True" : "False", reason, message, generation));
        return s;
    }

    /** Status when nothing could be installed (invalid spec, target missing, …); keeps what was known. */
    public static StreamTableStatus failure(StreamTableStatus previous, Long generation, String reason, String message,
                                            String hint) {
        StreamTableStatus s = copy(previous);
        s.setObservedGeneration(generation);
        LastError le = new LastError();
        le.setTime(Instant.now().toString());
        le.setMessage(message);
        le.setHint(hint);
        s.setLastError(le);
        s.setConditions(withReady(previous, "False", reason, hint == null ? message : message + " (hint: " + hint + ")",
                generation));
        return s;
    }

    static List<Condition> withReady(StreamTableStatus previous, String status, String reason, String message,
                                     Long generation) {
        List<Condition> out = new ArrayList<>();
        String transition = Instant.now().toString();
        if (previous != null && previous.getConditions() != null) {
            for (Condition c : previous.getConditions()) {
                if (Conditions.READY.equals(c.getType())) {
                    if (status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                        transition = c.getLastTransitionTime();
                    }
                } else {
                    out.add(c);
                }
            }
        }
        out.add(0, new ConditionBuilder().withType(Conditions.READY).withStatus(status).withReason(reason)
                .withMessage(message).withObservedGeneration(generation).withLastTransitionTime(transition).build());
        return out;
    }

    private static StreamTableStatus copy(StreamTableStatus p) {
        StreamTableStatus s = new StreamTableStatus();
        if (p != null) {
            s.setTable(p.getTable());
            s.setEffectiveRefreshMode(p.getEffectiveRefreshMode());
            s.setRefreshModeReason(p.getRefreshModeReason());
            s.setLastRefresh(p.getLastRefresh());
            s.setConsecutiveErrors(p.getConsecutiveErrors());
            s.setNextRefresh(p.getNextRefresh());
        }
        return s;
    }
}
