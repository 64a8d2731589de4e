package io.pgtrickle.operator.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgtrickle.crds.v1alpha1.Conditions;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.crds.v1alpha1.StreamTableStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;

/**
 * Records a Kubernetes Event when a StreamTable's Ready or Consistent condition changes status or reason, so
 * {@code kubectl describe st} tells the story (installed, refresh failing, recovered, a drift found) without
 * flooding it with one event per refresh or verification.
 */
public final class TransitionEvents {
    private static final Logger LOG = LoggerFactory.getLogger(TransitionEvents.class);
    private final KubernetesClient client;

    public TransitionEvents(KubernetesClient client) {
        this.client = client;
    }

    /** Emits a Warning event with {@code reason} and {@code message} on {@code resource}. Never throws. */
    public void warn(StreamTable resource, String reason, String message) {
        emit(resource, "Warning", reason, message);
    }

    /**
     * Emits an event for each of Ready and Consistent whose status or reason in {@code next} differs from
     * {@code previous}'s: Normal when it turned True, Warning when Ready turned anything else or Consistent False
     * (a verification that could not run is no alarm). Never throws.
     */
    public void onStatusChange(StreamTable resource, StreamTableStatus previous, StreamTableStatus next) {
        for (String type : List.of(Conditions.READY, Conditions.CONSISTENT)) {
            Condition before = condition(previous, type);
            Condition after = condition(next, type);
            if (after == null || resource == null || resource.getMetadata() == null) {
                continue;
            }
            if (before != null && before.getStatus().equals(after.getStatus())
                    && before.getReason().equals(after.getReason())) {
                continue;
            }
            boolean warning = type.equals(Conditions.READY) ? !"True".equals(after.getStatus())
                    : "False".equals(after.getStatus());
            emit(resource, warning ? "Warning" : "Normal", after.getReason(), after.getMessage());
        }
    }

    private void emit(StreamTable resource, String type, String reason, String message) {
        if (resource == null || resource.getMetadata() == null) {
            return;
        }
        String now = Instant.now().toString();
        try {
            client.v1().events().inNamespace(resource.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata().withGenerateName(resource.getMetadata().getName() + ".").endMetadata()
                    .withNewInvolvedObject().withApiVersion(resource.getApiVersion()).withKind(resource.getKind())
                    .withName(resource.getMetadata().getName()).withNamespace(resource.getMetadata().getNamespace())
                    .withUid(resource.getMetadata().getUid()).endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(truncate(message))
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent("pgtrickle-operator").endSource()
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.debug("event not recorded: {}", e.getMessage());
        }
    }

    private static Condition condition(StreamTableStatus s, String type) {
        if (s == null || s.getConditions() == null) {
            return null;
        }
        return s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000) + "…";
    }
}
