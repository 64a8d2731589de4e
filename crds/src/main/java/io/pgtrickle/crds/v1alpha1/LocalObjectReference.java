package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * A reference by name to another object in the same namespace as the referring resource. It is our own small
 * class rather than Fabric8's {@code LocalObjectReference} because that one has an optional name, while every
 * reference in this API must name its object.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LocalObjectReference {

  @Required
  @Size(min = 1, max = 253)
  @Pattern(CrdPatterns.OBJECT_NAME)
  @JsonPropertyDescription("Name of the referenced object, in the same namespace.")
  private String name;

  public LocalObjectReference() {
  }

  public LocalObjectReference(String name) {
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
    return o instanceof LocalObjectReference && Objects.equals(name, ((LocalObjectReference) o).name);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(name);
  }

  @Override
  public String toString() {
    return "LocalObjectReference{name=" + name + "}";
  }
}
