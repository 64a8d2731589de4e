package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * A CloudNativePG {@code Cluster} in the same namespace. Naming the cluster is enough because CloudNativePG
 * publishes the read-write service {@code <name>-rw} and the application credentials Secret {@code <name>-app}
 * by convention, so the operator can derive the connection without the user copying credentials around.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterRef {

  @Required
  @Size(min = 1, max = 253)
  @Pattern(CrdPatterns.OBJECT_NAME)
  @JsonPropertyDescription("Name of the CloudNativePG Cluster in the same namespace. The operator connects to "
      + "the service <name>-rw with the credentials in the Secret <name>-app.")
  private String name;

  public ClusterRef() {
  }

  public ClusterRef(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterRef && Objects.equals(name, ((ClusterRef) o).name);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(name);
  }

  @Override
  public String toString() {
    return "ClusterRef{name=" + name + "}";
  }
}
