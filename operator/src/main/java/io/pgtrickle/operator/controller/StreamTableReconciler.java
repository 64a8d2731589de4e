package io.pgtrickle.operator.controller;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.pgtrickle.crds.v1alpha1.Conditions;
import io.pgtrickle.crds.v1alpha1.RefreshPolicy;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.crds.v1alpha1.StreamTableStatus;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.db.InvalidQueryException;
import io.pgtrickle.operator.lifecycle.ApplyFailedException;
import io.pgtrickle.operator.lifecycle.ApplyResult;
import io.pgtrickle.operator.lifecycle.InvalidSpecException;
import io.pgtrickle.operator.lifecycle.DeleteOutcome;
import io.pgtrickle.operator.lifecycle.ModeDecision;
import io.pgtrickle.operator.lifecycle.StreamTableConflictException;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.RefreshTuning;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.schedule.DependencyOrder;
import io.pgtrickle.operator.schedule.RefreshScheduler;
import io.pgtrickle.operator.schedule.Schedule;
import io.pgtrickle.operator.verify.StreamTableVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * Reconciles a StreamTable: resolve the target database, install or update the stream table
 * there (the same {@link StreamTableService} the CLI uses), hand it to the refresh scheduler, and
 * report. Deleting the resource removes what was installed, honouring {@code reclaimPolicy}, and
 * never drops anything for a resource that never reconciled.
 */
@ControllerConfiguration(name = "streamtable", fieldManager = StatusWriter.FIELD_MANAGER)
public final class StreamTableReconciler implements Reconciler<StreamTable>, Cleaner<StreamTable> {
    private static final Logger LOG = LoggerFactory.getLogger(StreamTableReconciler.class);
    static final Duration RETRY = Duration.ofSeconds(15);
    static final Duration RECHECK = Duration.ofMinutes(5);

    private final TargetResolver targets;
    private final RefreshScheduler scheduler;
    private final StatusWriter status;
    private final ServiceCache services;
    private final BiFunction<String, String, RefreshPolicy> policies;

    /**
     * @param policies looks up a RefreshPolicy by namespace and name (null when absent)
     */
    public StreamTableReconciler(TargetResolver targets, RefreshScheduler scheduler, StatusWriter status,
                                 ServiceCache services, BiFunction<String, String, RefreshPolicy> policies) {
        this.policies = policies;
        this.targets = targets;
        this.scheduler = scheduler;
        this.status = status;
        this.services = services;
    }

    /**
     * Watches RefreshPolicies so that creating or editing one re-reconciles the stream tables that
     * reference it (a missing policy turns into Ready as soon as it appears).
     */
    @Override
    public List<EventSource<?, StreamTable>> prepareEventSources(EventSourceContext<StreamTable> context) {
        InformerEventSourceConfiguration<RefreshPolicy> policies = InformerEventSourceConfiguration
                .from(RefreshPolicy.class, StreamTable.class)
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(rp -> context.getPrimaryCache()
                        .list(rp.getMetadata().getNamespace())
                        .filter(st -> st.getSpec() != null && st.getSpec().getRefreshPolicyRef() != null
                                && rp.getMetadata().getName().equals(st.getSpec().getRefreshPolicyRef().getName()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        return List.of(new InformerEventSource<>(policies, context));
    }

    @Override
    public UpdateControl<StreamTable> reconcile(StreamTable st, Context<StreamTable> context) {
        StreamTableKey key = new StreamTableKey(st.getMetadata().getNamespace(), st.getMetadata().getName());
        Long generation = st.getMetadata().getGeneration();
        StreamTableStatus previous = st.getStatus();
        StreamTableDefinition def;
        TargetResolver.ResolvedTarget target;
        try {
            def = StreamTableDefinition.of(st, key.namespace());
            target = targets.resolve(st);
        } catch (IllegalArgumentException e) {
            return fail(st, previous, generation, Conditions.REASON_INVALID_SPEC, e.getMessage(), "fix the spec and apply it again");
        } catch (TargetResolver.TargetException e) {
            return fail(st, previous, generation, Conditions.REASON_TARGET_NOT_FOUND, e.getMessage(),
                    "create the cluster or Secret, or fix spec.target").rescheduleAfter(RETRY);
        }
        if (st.getSpec().getRefreshPolicyRef() != null) {
            String policyName = st.getSpec().getRefreshPolicyRef().getName();
            RefreshPolicy policy = policies.apply(key.namespace(), policyName);
            if (policy == null) {
                return fail(st, previous, generation, Conditions.REASON_REFRESH_POLICY_NOT_FOUND,
                        "RefreshPolicy " + policyName + " not found in namespace " + key.namespace(),
                        "create it, or remove spec.refreshPolicyRef to use the defaults").rescheduleAfter(RETRY);
            }
            def = def.withTuning(RefreshTuning.of(policy));
        }
        StreamTableService service = services.forTarget(target.database());
        services.bind(key, service);
        try {
            ApplyResult applied = service.apply(def);
            if (applied.rejectedPlan() != null) {
                status.warn(st, "IncrementalPlanRejected", applied.rejectedPlan());
            }
            applied.warnings().forEach(w -> LOG.warn("{}: {}", key, w));
            if (applied.rebuilt()) {
                LOG.info("{}: installed {} in {} ({} rows)", key, def.table(), target.description(),
                        applied.record().lastRefreshRows());
            }
            String reason = Conditions.REASON_REFRESHED;
            String message = "stream table " + def.table() + " is maintained in " + target.description()
                    + applied.warnings().stream().map(w -> "; warning: " + w).collect(java.util.stream.Collectors.joining());
            if (def.suspend()) {
                scheduler.cancel(key);
                reason = Conditions.REASON_SUSPENDED;
                message = "spec.suspend is true: no refreshes are scheduled and no changes are held for this stream"
                        + " table; the first refresh after resuming recomputes in full";
            } else {
                scheduler.schedule(key, service, Schedule.parse(def.schedule()),
                        DependencyOrder.depth(key, service::upstreamOf), def.tuning().verification(),
                        new StreamTableVerifier(target.database()));
            }
            StreamTableRecord rec = applied.record();
            if (!def.suspend() && rec.consecutiveErrors() > 0) {
                reason = Conditions.REASON_REFRESH_FAILED;
                message = rec.lastError();
            }
            // a Consistent condition reports scheduled verifications: gone with them
            status.write(st, StatusBuilder.fromRecord(ConsistencyCondition.keepIf(previous,
                    def.tuning().verification().enabled() && !def.suspend()), rec, generation, reason, message,
                    scheduler.nextRefresh(key)));
            return UpdateControl.<StreamTable>noUpdate().rescheduleAfter(RECHECK);
        } catch (InvalidQueryException e) {
            scheduler.cancel(key);
            return fail(st, previous, generation, Conditions.REASON_INVALID_QUERY, e.getMessage(), e.hint());
        } catch (StreamTableConflictException e) {
            scheduler.cancel(key);
            return fail(st, previous, generation, Conditions.REASON_TABLE_CONFLICT, e.getMessage(), e.hint());
        } catch (InvalidSpecException e) {
            scheduler.cancel(key);
            return fail(st, previous, generation, Conditions.REASON_INVALID_SPEC, e.getMessage(), e.hint());
        } catch (ModeDecision.UnsupportedModeException e) {
            scheduler.cancel(key);
            return fail(st, previous, generation, Conditions.REASON_UNSUPPORTED_REFRESH_MODE, e.getMessage(), e.hint());
        } catch (ApplyFailedException e) {
            return fail(st, previous, generation, Conditions.REASON_APPLY_FAILED, e.getMessage(), e.hint())
                    .rescheduleAfter(RETRY);
        } catch (SQLException | IllegalStateException e) {
            LOG.warn("{}: database unavailable: {}", key, e.getMessage());
            return fail(st, previous, generation, Conditions.REASON_CONNECTION_FAILED,
                    "cannot reach " + target.description() + ": " + firstLine(e.getMessage()),
                    "check that the database is up and the credentials in the Secret are valid; retrying")
                    .rescheduleAfter(RETRY);
        }
    }

    @Override
    public DeleteControl cleanup(StreamTable st, Context<StreamTable> context) {
        StreamTableKey key = new StreamTableKey(st.getMetadata().getNamespace(), st.getMetadata().getName());
        scheduler.cancel(key);
        services.unbind(key);
        TargetResolver.ResolvedTarget target;
        try {
            target = targets.resolve(st);
        } catch (RuntimeException e) {
            // Without a target there is nothing we can reach to clean up; do not block deletion forever.
            LOG.warn("{}: deleted without cleanup: {}", key, e.getMessage());
            return DeleteControl.defaultDelete();
        }
        try {
            StreamTableDefinition def = StreamTableDefinition.of(st, key.namespace());
            DeleteOutcome outcome = services.forTarget(target.database())
                    .delete(key, st.getMetadata().getUid(), def.reclaimPolicy());
            LOG.info("{}: deleted ({})", key, outcome);
            return DeleteControl.defaultDelete();
        } catch (IllegalArgumentException e) {
            return DeleteControl.defaultDelete();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("{}: cleanup failed, retrying: {}", key, e.getMessage());
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(RETRY.toMillis());
        }
    }

    private UpdateControl<StreamTable> fail(StreamTable st, StreamTableStatus previous, Long generation,
                                            String reason, String message, String hint) {
        status.write(st, StatusBuilder.failure(previous, generation, reason, message, hint));
        return UpdateControl.noUpdate();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }
}
