package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A set of refresh tuning knobs (fallback threshold, concurrency, backoff, error limit, default schedule) that
 * stream tables reference by name. It is a separate resource, rather than fields repeated on every StreamTable,
 * so that one policy can be shared and changed for many stream tables at once, the way pg_trickle's GUCs apply
 * to a whole database, but scoped to a namespace.
 */
@Group(StreamTable.GROUP)
@Version(StreamTable.VERSION)
@Kind("RefreshPolicy")
@Plural("refreshpolicies")
@Singular("refreshpolicy")
@ShortNames("rp")
@Categories("pgtrickle")
@AdditionalPrinterColumn(name = "Default Schedule", jsonPath = ".spec.defaultSchedule",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Max Concurrent", jsonPath = ".spec.maxConcurrentRefreshes",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class RefreshPolicy extends CustomResource<RefreshPolicySpec, RefreshPolicyStatus> implements Namespaced {

  @Override
  @JsonPropertyDescription("Desired state, owned by the user: the refresh tuning knobs. Every field has a default.")
  public RefreshPolicySpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("Observed state, owned by the operator (status subresource): whether it accepted the "
      + "policy.")
  public RefreshPolicyStatus getStatus() {
    return super.getStatus();
  }

  @Override
  protected RefreshPolicySpec initSpec() {
    // No client-side spec: an empty spec object with defaults would be sent by every server-side
    // apply of this resource (JOSDK adds finalizers that way) and overwrite the user's fields.
    return null;
  }
}
