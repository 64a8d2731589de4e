package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/**
 * The observed state of a refresh policy, owned by the operator and written through the status subresource.
 * It only says whether the operator accepted the policy (checks the API server cannot do, such as a
 * schedule it cannot parse), so that a bad policy is visible on the policy itself rather than only on the
 * stream tables that use it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RefreshPolicyStatus {

  @JsonPropertyDescription("The metadata.generation of the spec this status was computed from.")
  private Long observedGeneration;

  @JsonPropertyDescription("Current state. Type Ready is True (reason Accepted) when the operator uses the "
      + "policy, False (reason InvalidSpec) when it rejects it.")
  private List<Condition> conditions;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RefreshPolicyStatus)) {
      return false;
    }
    RefreshPolicyStatus s = (RefreshPolicyStatus) o;
    return Objects.equals(observedGeneration, s.observedGeneration) && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions);
  }

  @Override
  public String toString() {
    return "RefreshPolicyStatus{observedGeneration=" + observedGeneration + ", conditions=" + conditions + "}";
  }
}
