package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The outcome of the most recent successful refresh. It is kept in status (not only in metrics) so that
 * {@code kubectl get/describe} answers "how fresh is this table and what did the last refresh cost" without
 * querying PostgreSQL.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LastRefresh {

  @JsonPropertyDescription("When the refresh finished (RFC 3339).")
  private String time;

  @JsonPropertyDescription("How long the refresh took, in milliseconds.")
  private Long durationMs;

  @JsonPropertyDescription("Rows changed in the storage table (inserted + updated + deleted) by a DIFFERENTIAL or "
      + "IMMEDIATE refresh, or rows written by a FULL refresh.")
  private Long rows;

  @JsonPropertyDescription("The mode the refresh actually ran in: FULL, DIFFERENTIAL or IMMEDIATE.")
  private String mode;

  @JsonPropertyDescription("Why a stream table maintained incrementally recomputed in FULL this time (large batch, "
      + "truncated source, learnt costs), or that a FULL one had nothing to recompute (no source changed); absent "
      + "when the refresh ran in its usual mode.")
  private String reason;

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  public Long getDurationMs() {
    return durationMs;
  }

  public void setDurationMs(Long durationMs) {
    this.durationMs = durationMs;
  }

  public Long getRows() {
    return rows;
  }

  public void setRows(Long rows) {
    this.rows = rows;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMode() {
    return mode;
  }

  public void setMode(String mode) {
    this.mode = mode;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LastRefresh)) {
      return false;
    }
    LastRefresh l = (LastRefresh) o;
    return Objects.equals(time, l.time) && Objects.equals(durationMs, l.durationMs) && Objects.equals(rows, l.rows)
        && Objects.equals(mode, l.mode) && Objects.equals(reason, l.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(time, durationMs, rows, mode, reason);
  }

  @Override
  public String toString() {
    return "LastRefresh{time=" + time + ", durationMs=" + durationMs + ", rows=" + rows + ", mode=" + mode
        + ", reason=" + reason + "}";
  }
}
