package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/**
 * The observed state of a stream table, owned by the operator and written only through the status subresource,
 * so that users' spec edits and the operator's status updates never conflict. It follows the Kubernetes API
 * conventions: {@code observedGeneration} says which spec the status describes and {@code conditions} (type
 * {@code Ready} plus reasons) summarise health, while the remaining fields explain it (effective mode, last
 * refresh, errors).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StreamTableStatus {

  @JsonPropertyDescription("The metadata.generation of the spec this status was computed from.")
  private Long observedGeneration;

  @JsonPropertyDescription("Current state. Type Ready is True while the storage table exists and its last "
      + "refresh succeeded; its reason explains a False or Unknown status (see docs/crds.md).")
  private List<Condition> conditions;

  @JsonPropertyDescription("The resolved storage table, schema-qualified (schema.table).")
  private String table;

  @JsonPropertyDescription("The refresh mode in use: FULL, DIFFERENTIAL or IMMEDIATE (AUTO resolved).")
  private String effectiveRefreshMode;

  @JsonPropertyDescription("Why effectiveRefreshMode was chosen, e.g. which query construct prevents "
      + "DIFFERENTIAL refresh, or that the change ratio exceeded the policy's threshold.")
  private String refreshModeReason;

  @JsonPropertyDescription("The most recent successful refresh.")
  private LastRefresh lastRefresh;

  @JsonPropertyDescription("Refreshes that failed in a row since the last success; reset to 0 by a success or a "
      + "spec change. At the RefreshPolicy's maxConsecutiveErrors, refreshes pause (Ready=False, reason "
      + "ErrorLimitReached).")
  private Integer consecutiveErrors;

  @JsonPropertyDescription("The most recent error, with a hint on how to fix it.")
  private LastError lastError;

  @JsonPropertyDescription("When the next scheduled refresh is due (RFC 3339); absent for IMMEDIATE mode or "
      + "while suspended or paused.")
  private String nextRefresh;

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

  public String getTable() {
    return table;
  }

  public void setTable(String table) {
    this.table = table;
  }

  public String getEffectiveRefreshMode() {
    return effectiveRefreshMode;
  }

  public void setEffectiveRefreshMode(String effectiveRefreshMode) {
    this.effectiveRefreshMode = effectiveRefreshMode;
  }

  public String getRefreshModeReason() {
    return refreshModeReason;
  }

  public void setRefreshModeReason(String refreshModeReason) {
    this.refreshModeReason = refreshModeReason;
  }

  public LastRefresh getLastRefresh() {
    return lastRefresh;
  }

  public void setLastRefresh(LastRefresh lastRefresh) {
    this.lastRefresh = lastRefresh;
  }

  public Integer getConsecutiveErrors() {
    return consecutiveErrors;
  }

  public void setConsecutiveErrors(Integer consecutiveErrors) {
    this.consecutiveErrors = consecutiveErrors;
  }

  public LastError getLastError() {
    return lastError;
  }

  public void setLastError(LastError lastError) {
    this.lastError = lastError;
  }

  public String getNextRefresh() {
    return nextRefresh;
  }

  public void setNextRefresh(String nextRefresh) {
    this.nextRefresh = nextRefresh;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof StreamTableStatus)) {
      return false;
    }
    StreamTableStatus s = (StreamTableStatus) o;
    return Objects.equals(observedGeneration, s.observedGeneration) && Objects.equals(conditions, s.conditions)
        && Objects.equals(table, s.table) && Objects.equals(effectiveRefreshMode, s.effectiveRefreshMode)
        && Objects.equals(refreshModeReason, s.refreshModeReason) && Objects.equals(lastRefresh, s.lastRefresh)
        && Objects.equals(consecutiveErrors, s.consecutiveErrors) && Objects.equals(lastError, s.lastError)
        && Objects.equals(nextRefresh, s.nextRefresh);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, table, effectiveRefreshMode, refreshModeReason,
        lastRefresh, consecutiveErrors, lastError, nextRefresh);
  }

  @Override
  public String toString() {
    return "StreamTableStatus{observedGeneration=" + observedGeneration + ", conditions=" + conditions
        + ", table=" + table + ", effectiveRefreshMode=" + effectiveRefreshMode + ", refreshModeReason="
        + refreshModeReason + ", lastRefresh=" + lastRefresh + ", consecutiveErrors=" + consecutiveErrors
        + ", lastError=" + lastError + ", nextRefresh=" + nextRefresh + "}";
  }
}
