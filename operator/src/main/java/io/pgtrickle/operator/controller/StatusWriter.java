package io.pgtrickle.operator.controller;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.crds.v1alpha1.StreamTableStatus;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes StreamTable status with server-side apply on the status subresource, under one field
 * manager, from the reconciler and from refresh workers alike. Applying the whole status each
 * time means a field we stop setting (a cleared lastError) is removed, not left stale.
 */
public final class StatusWriter {
    public static final String FIELD_MANAGER = "pgtrickle-operator";
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
    private static final PatchContext APPLY = new PatchContext.Builder()
            .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(FIELD_MANAGER).withForce(true).build();

    private final KubernetesClient client;
    private final TransitionEvents events;

    public StatusWriter(KubernetesClient client) {
        this.client = client;
        this.events = new TransitionEvents(client);
    }

    /** The resource as the API server has it now, or null if it is gone. */
    public StreamTable current(StreamTableKey key) {
        return client.resources(StreamTable.class).inNamespace(key.namespace()).withName(key.name()).get();
    }

    /** Writes {@code status} onto {@code resource} (as last seen) and records an Event on a Ready transition. */
    public void write(StreamTable resource, StreamTableStatus status) {
        StreamTableKey key = new StreamTableKey(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
        write(key, status);
        events.onStatusChange(resource, resource.getStatus(), status);
    }

    /** Records a Warning event on {@code resource} (not a status change). */
    public void warn(StreamTable resource, String reason, String message) {
        events.warn(resource, reason, message);
    }

    public void write(StreamTableKey key, StreamTableStatus status) {
        StreamTable patch = new StreamTable();
        patch.setMetadata(new ObjectMetaBuilder().withName(key.name()).withNamespace(key.namespace()).build());
        patch.setStatus(status);
        try {
            client.resources(StreamTable.class).inNamespace(key.namespace()).withName(key.name())
                    .subresource("status").patch(APPLY, patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                LOG.debug("{} is gone; status not written", key);
                return;
            }
            throw e;
        }
    }
}
