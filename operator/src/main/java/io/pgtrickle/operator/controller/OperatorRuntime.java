package io.pgtrickle.operator.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.pgtrickle.crds.v1alpha1.Conditions;
import io.pgtrickle.crds.v1alpha1.RefreshPolicy;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.crds.v1alpha1.StreamTableStatus;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.errors.UserFacingException;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.schedule.RefreshScheduler;
import io.pgtrickle.operator.verify.Verification;
import io.fabric8.kubernetes.api.model.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.time.Instant;

/**
 * The operator process: JOSDK controllers plus the refresh scheduler whose outcomes are written
 * back onto the StreamTable resources. Started by {@link OperatorMain} in a pod and by the
 * end-to-end tests in the test JVM — the same wiring in both.
 */
public final class OperatorRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

    private final Operator operator;
    private final RefreshScheduler scheduler;

    public OperatorRuntime(KubernetesClient client, int maxConcurrentRefreshes) {
        this(client, maxConcurrentRefreshes, Set.of());
    }

    /**
     * @param namespaces the namespaces to watch; empty = all (needs cluster-wide RBAC)
     */
    public OperatorRuntime(KubernetesClient client, int maxConcurrentRefreshes, Set<String> namespaces) {
        StatusWriter status = new StatusWriter(client);
        ServiceCache services = new ServiceCache();
        this.scheduler = new RefreshScheduler(maxConcurrentRefreshes, Duration.ofSeconds(1), Duration.ofMinutes(5),
                new StatusOnRefresh(status, services));
        this.operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                .withUseSSAToPatchPrimaryResource(true));
        StreamTableReconciler reconciler = new StreamTableReconciler(new TargetResolver(client), scheduler, status,
                services, (ns, name) -> client.resources(RefreshPolicy.class).inNamespace(ns).withName(name).get());
        if (namespaces.isEmpty()) {
            operator.register(reconciler);
        } else {
            operator.register(reconciler, o -> o.settingNamespaces(namespaces));
        }
    }

    public OperatorRuntime start() {
        operator.start();
        return this;
    }

    @Override
    public void close() {
        scheduler.close();
        operator.stop();
    }

    /** Writes each refresh outcome onto the resource, read back from the catalog (the source of truth). */
    private final class StatusOnRefresh implements RefreshScheduler.Listener {
        private final StatusWriter status;
        private final ServiceCache services;

        StatusOnRefresh(StatusWriter status, ServiceCache services) {
            this.status = status;
            this.services = services;
        }

        @Override
        public void refreshed(RefreshResult r) {
            update(r.key(), null, null);
        }

        @Override
        public void failed(StreamTableKey key, RuntimeException error, int consecutiveErrors, Instant retryAt) {
            update(key, error.getMessage(), error instanceof UserFacingException f ? f.hint() : null);
        }

        /**
         * The Consistent condition from a scheduled verification; an Event when it changes (see
         * {@link TransitionEvents}), and one for every repair, which a Drift that stays Drift would not show.
         */
        @Override
        public void verified(Verification.Result r) {
            try {
                StreamTable st = status.current(r.key());
                if (st == null || st.getMetadata().getDeletionTimestamp() != null) {
                    return;
                }
                Condition before = ConsistencyCondition.of(st.getStatus());
                StreamTableStatus next = ConsistencyCondition.with(st.getStatus(), r);
                status.write(st, next);
                Condition after = ConsistencyCondition.of(next);
                if (r.repair() != null && before != null && before.getReason().equals(after.getReason())) {
                    status.warn(st, after.getReason(), after.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: status update after verification failed: {}", r.key(), e.getMessage());
            }
        }

        private void update(StreamTableKey key, String error, String hint) {
            try {
                StreamTable st = status.current(key);
                if (st == null || st.getMetadata().getDeletionTimestamp() != null) {
                    return;
                }
                StreamTableRecord rec = services.lookup(key);
                StreamTableStatus previous = st.getStatus();
                Long generation = previous == null ? null : previous.getObservedGeneration();
                if (rec == null) {
                    status.write(st, StatusBuilder.failure(previous, generation, Conditions.REASON_REFRESH_FAILED,
                            error == null ? "stream table is no longer installed" : error, hint));
                    return;
                }
                boolean ok = rec.consecutiveErrors() == 0;
                status.write(st, StatusBuilder.fromRecord(previous, rec, generation,
                        ok ? Conditions.REASON_REFRESHED : Conditions.REASON_REFRESH_FAILED,
                        ok ? readyMessage(previous) : rec.lastError() + (rec.lastErrorHint() == null ? ""
                                : " (hint: " + rec.lastErrorHint() + ")"),
                        scheduler.nextRefresh(key)));
            } catch (RuntimeException e) {
                LOG.warn("{}: status update after refresh failed: {}", key, e.getMessage());
            }
        }

        private String readyMessage(StreamTableStatus previous) {
            if (previous != null && previous.getConditions() != null) {
                for (var c : previous.getConditions()) {
                    if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
                        return c.getMessage();
                    }
                }
            }
            return "refreshed";
        }
    }
}
