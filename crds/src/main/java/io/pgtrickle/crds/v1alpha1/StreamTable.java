package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
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
 * A stream table: a PostgreSQL table holding the result of a query, kept up to date by pg_trickle as its source
 * tables change. It is a namespaced Kubernetes resource so that stream tables are declared, reviewed and
 * deployed like the rest of an application (GitOps), while the operator reconciles them into the target database
 * and reports freshness and errors in the status shown by {@code kubectl get streamtables}.
 */
@Group(StreamTable.GROUP)
@Version(StreamTable.VERSION)
@Kind("StreamTable")
@Plural("streamtables")
@Singular("streamtable")
@ShortNames("st")
@Categories("pgtrickle")
@AdditionalPrinterColumn(name = "Table", jsonPath = ".status.table", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".status.effectiveRefreshMode",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Last Refresh", jsonPath = ".status.lastRefresh.time",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = CrdPatterns.TABLE_FROM_NAME_RULE, message = CrdPatterns.TABLE_FROM_NAME_MESSAGE,
    fieldPath = ".spec.table")
public class StreamTable extends CustomResource<StreamTableSpec, StreamTableStatus> implements Namespaced {

  /** API group of the pg-trickle custom resources. */
  public static final String GROUP = "pgtrickle.io";
  /** API version of this package. */
  public static final String VERSION = "v1alpha1";

  @Override
  @Required
  @JsonPropertyDescription("Desired state, owned by the user: target database, storage table, query and refresh "
      + "settings.")
  public StreamTableSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("Observed state, owned by the operator (status subresource): readiness, effective "
      + "refresh mode, last refresh and last error.")
  public StreamTableStatus getStatus() {
    return super.getStatus();
  }

  @Override
  protected StreamTableSpec initSpec() {
    // No client-side spec: an empty spec object with defaults would be sent by every server-side
    // apply of this resource (JOSDK adds finalizers that way) and overwrite the user's fields.
    return null;
  }
}
