package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * Scheduled verification of the stream tables using a RefreshPolicy ({@code spec.verification}): how often each is
 * compared with its own query, in a snapshot, as {@code pgtrickle verify} does, and whether a difference is repaired
 * by a FULL refresh. Off unless {@code interval} is set, since a verification reads the whole storage table and runs
 * the whole query. The outcome is the StreamTable's {@code Consistent} condition.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VerificationSpec {

  @Size(max = 32)
  @ValidationRule(value = "self == '' || " + CrdPatterns.DURATION_RULE,
      message = "interval " + CrdPatterns.DURATION_MESSAGE + ", or empty to verify never")
  @JsonPropertyDescription("How often each stream table using this policy is compared with its query (a duration "
      + "such as 30m, 1h, 1d); absent or empty: never. Each verification reads the whole storage table and runs the "
      + "whole query in one REPEATABLE READ transaction that is rolled back; it blocks no writer. The result is the "
      + "StreamTable's Consistent condition.")
  private String interval;

  @Default("false")
  @JsonPropertyDescription("When a verification finds the table differing from its query (Consistent=False, reason "
      + "Drift), recompute it right away with a FULL refresh that writes only the rows that differ, and say so in "
      + "the condition's message. When false, a drift is only reported.")
  private Boolean repair;

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public Boolean getRepair() {
    return repair;
  }

  public void setRepair(Boolean repair) {
    this.repair = repair;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerificationSpec v && Objects.equals(interval, v.interval) && Objects.equals(repair, v.repair);
  }

  @Override
  public int hashCode() {
    return Objects.hash(interval, repair);
  }

  @Override
  public String toString() {
    return "VerificationSpec{interval=" + interval + ", repair=" + repair + "}";
  }
}
