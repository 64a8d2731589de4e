package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * Which PostgreSQL database a stream table lives in. Either a CloudNativePG cluster (the common case, no
 * credentials to manage) or an explicit connection Secret for any other PostgreSQL; exactly one must be given,
 * which the API server enforces with a CEL rule so an ambiguous target is rejected at apply time.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = CrdPatterns.ONE_TARGET_RULE, message = CrdPatterns.ONE_TARGET_MESSAGE)
public class Target {

  @JsonPropertyDescription("CloudNativePG Cluster in the same namespace to connect to (service <name>-rw, "
      + "Secret <name>-app). Mutually exclusive with connectionSecretRef.")
  private ClusterRef cluster;

  @JsonPropertyDescription("Secret in the same namespace with the keys username, password, dbname, host and port "
      + "(the same keys as CloudNativePG's <cluster>-app Secret). Mutually exclusive with cluster.")
  private LocalObjectReference connectionSecretRef;

  public ClusterRef getCluster() {
    return cluster;
  }

  public void setCluster(ClusterRef cluster) {
    this.cluster = cluster;
  }

  public LocalObjectReference getConnectionSecretRef() {
    return connectionSecretRef;
  }

  public void setConnectionSecretRef(LocalObjectReference connectionSecretRef) {
    this.connectionSecretRef = connectionSecretRef;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Target)) {
      return false;
    }
    Target t = (Target) o;
    return Objects.equals(cluster, t.cluster) && Objects.equals(connectionSecretRef, t.connectionSecretRef);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cluster, connectionSecretRef);
  }

  @Override
  public String toString() {
    return "Target{cluster=" + cluster + ", connectionSecretRef=" + connectionSecretRef + "}";
  }
}
