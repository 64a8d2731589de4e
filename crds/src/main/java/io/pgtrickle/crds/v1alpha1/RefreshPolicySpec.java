package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * Refresh tuning shared by many stream tables: the knobs pg_trickle itself keeps as server-wide GUCs
 * ({@code pg_trickle.differential_max_change_ratio}, {@code default_schedule_seconds}, ...), lifted into a
 * namespaced object so that different teams or workloads in one cluster can tune them independently and change
 * them without a database restart. Defaults match pg_trickle's where they exist and are mirrored in the Java field
 * initialisers, so {@code new RefreshPolicySpec()} is the policy used when a StreamTable references none.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = CrdPatterns.BACKOFF_ORDER_RULE, message = CrdPatterns.BACKOFF_ORDER_MESSAGE)
public class RefreshPolicySpec {

  @Default("0.15")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("AUTO mode falls back to a FULL refresh when the pending changes exceed this fraction "
      + "of the source rows (batch rows / source rows). Lower means more FULL refreshes. pg_trickle GUC "
      + "differential_max_change_ratio.")
  private Double differentialMaxChangeRatio;

  @Default("true")
  @JsonPropertyDescription("Let AUTO mode choose from the measured cost of past FULL and DIFFERENTIAL refreshes of "
      + "the same table (pg_trickle's refresh history): until both are known it measures DIFFERENTIAL on batches up "
      + "to twice differentialMaxChangeRatio; when false only differentialMaxChangeRatio decides.")
  private Boolean learnFromHistory;

  @Default("4")
  @Min(1)
  @JsonPropertyDescription("Most refreshes run at the same time for the stream tables using this policy. "
      + "pg_trickle GUC max_dynamic_refresh_workers.")
  private Integer maxConcurrentRefreshes;

  @Default("1s")
  @Size(max = 32)
  @ValidationRule(value = CrdPatterns.DURATION_RULE, message = "minBackoff " + CrdPatterns.DURATION_MESSAGE)
  @JsonPropertyDescription("Delay before retrying a failed refresh; it doubles after each further failure, up to "
      + "maxBackoff. A duration such as 500ms, 1s, 5m.")
  private String minBackoff;

  @Default("5m")
  @Size(max = 32)
  @ValidationRule(value = CrdPatterns.DURATION_RULE, message = "maxBackoff " + CrdPatterns.DURATION_MESSAGE)
  @JsonPropertyDescription("Longest delay between retries of a failing refresh. A duration such as 30s, 5m, 1h.")
  private String maxBackoff;

  @Default("10")
  @Min(1)
  @JsonPropertyDescription("After this many failed refreshes in a row, the stream table is marked Ready=False "
      + "with reason ErrorLimitReached and its refreshes pause until its spec changes.")
  private Integer maxConsecutiveErrors;

  @Default("1m")
  @Size(max = CrdPatterns.SCHEDULE_MAX_LENGTH)
  @ValidationRule(value = CrdPatterns.SCHEDULE_RULE, message = "defaultSchedule " + CrdPatterns.SCHEDULE_MESSAGE)
  @JsonPropertyDescription("Schedule for stream tables that set none and have no downstream stream table to "
      + "derive one from: a duration (30s, 5m, 1h30m) or a 5-field cron expression ('*/5 * * * *', @hourly). "
      + "pg_trickle GUC default_schedule_seconds.")
  private String defaultSchedule;

  @Default("1s")
  @Size(max = 32)
  @ValidationRule(value = CrdPatterns.DURATION_RULE, message = "minSchedule " + CrdPatterns.DURATION_MESSAGE)
  @JsonPropertyDescription("Shortest interval between two refreshes of one stream table; shorter schedules are "
      + "stretched to it. pg_trickle GUC min_schedule_seconds.")
  private String minSchedule;

  @Default("false")
  @JsonPropertyDescription("When a refresh regularly takes longer than its schedule interval, stretch the "
      + "interval instead of refreshing back to back. pg_trickle GUC auto_backoff.")
  private Boolean autoBackoff;

  @Default("64")
  @Min(1)
  @JsonPropertyDescription("work_mem, in MiB, for the refresh transaction (sorting and hashing of large deltas). "
      + "pg_trickle GUC merge_work_mem_mb.")
  private Integer mergeWorkMemMb;

  @Default("10m")
  @Size(max = 32)
  @ValidationRule(value = CrdPatterns.DURATION_RULE, message = "statementTimeout " + CrdPatterns.DURATION_MESSAGE)
  @JsonPropertyDescription("Longest a statement of an apply (the initial load) or a refresh may run before "
      + "PostgreSQL cancels it (statement_timeout); the apply or refresh then fails whole, leaves nothing locked, "
      + "and says which limit it hit. A duration such as 30s, 10m, 1h.")
  private String statementTimeout;

  @Default("30s")
  @Size(max = 32)
  @ValidationRule(value = CrdPatterns.DURATION_RULE, message = "lockTimeout " + CrdPatterns.DURATION_MESSAGE)
  @JsonPropertyDescription("Longest an apply or a refresh waits for a lock (a source's, the stream table's) "
      + "before it gives up and is retried (lock_timeout), so that a long transaction elsewhere cannot hold it, "
      + "and the writers queued behind it, indefinitely. A duration such as 5s, 30s, 2m.")
  private String lockTimeout;

  @Default("false")
  @JsonPropertyDescription("Whether an apply may create the schema of spec.table when it does not exist. Off by "
      + "default, so that a typo in the schema is reported instead of silently creating a new schema.")
  private Boolean createSchemas;

  @JsonPropertyDescription("Scheduled verification of the stream tables using this policy: each is compared with "
      + "its own query on an interval and, optionally, repaired by a FULL refresh when it differs. Off by default.")
  private VerificationSpec verification;

  public VerificationSpec getVerification() {
    return verification;
  }

  public void setVerification(VerificationSpec verification) {
    this.verification = verification;
  }

  public Boolean getCreateSchemas() {
    return createSchemas;
  }

  public void setCreateSchemas(Boolean createSchemas) {
    this.createSchemas = createSchemas;
  }

  public String getStatementTimeout() {
    return statementTimeout;
  }

  public void setStatementTimeout(String statementTimeout) {
    this.statementTimeout = statementTimeout;
  }

  public String getLockTimeout() {
    return lockTimeout;
  }

  public void setLockTimeout(String lockTimeout) {
    this.lockTimeout = lockTimeout;
  }

  public Double getDifferentialMaxChangeRatio() {
    return differentialMaxChangeRatio;
  }

  public void setDifferentialMaxChangeRatio(Double differentialMaxChangeRatio) {
    this.differentialMaxChangeRatio = differentialMaxChangeRatio;
  }

  public Boolean getLearnFromHistory() {
    return learnFromHistory;
  }

  public void setLearnFromHistory(Boolean learnFromHistory) {
    this.learnFromHistory = learnFromHistory;
  }

  public Integer getMaxConcurrentRefreshes() {
    return maxConcurrentRefreshes;
  }

  public void setMaxConcurrentRefreshes(Integer maxConcurrentRefreshes) {
    this.maxConcurrentRefreshes = maxConcurrentRefreshes;
  }

  public String getMinBackoff() {
    return minBackoff;
  }

  public void setMinBackoff(String minBackoff) {
    this.minBackoff = minBackoff;
  }

  public String getMaxBackoff() {
    return maxBackoff;
  }

  public void setMaxBackoff(String maxBackoff) {
    this.maxBackoff = maxBackoff;
  }

  public Integer getMaxConsecutiveErrors() {
    return maxConsecutiveErrors;
  }

  public void setMaxConsecutiveErrors(Integer maxConsecutiveErrors) {
    this.maxConsecutiveErrors = maxConsecutiveErrors;
  }

  public String getDefaultSchedule() {
    return defaultSchedule;
  }

  public void setDefaultSchedule(String defaultSchedule) {
    this.defaultSchedule = defaultSchedule;
  }

  public String getMinSchedule() {
    return minSchedule;
  }

  public void setMinSchedule(String minSchedule) {
    this.minSchedule = minSchedule;
  }

  public Boolean getAutoBackoff() {
    return autoBackoff;
  }

  public void setAutoBackoff(Boolean autoBackoff) {
    this.autoBackoff = autoBackoff;
  }

  public Integer getMergeWorkMemMb() {
    return mergeWorkMemMb;
  }

  public void setMergeWorkMemMb(Integer mergeWorkMemMb) {
    this.mergeWorkMemMb = mergeWorkMemMb;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RefreshPolicySpec)) {
      return false;
    }
    RefreshPolicySpec p = (RefreshPolicySpec) o;
    return Objects.equals(differentialMaxChangeRatio, p.differentialMaxChangeRatio)
        && Objects.equals(learnFromHistory, p.learnFromHistory)
        && Objects.equals(maxConcurrentRefreshes, p.maxConcurrentRefreshes)
        && Objects.equals(minBackoff, p.minBackoff) && Objects.equals(maxBackoff, p.maxBackoff)
        && Objects.equals(maxConsecutiveErrors, p.maxConsecutiveErrors)
        && Objects.equals(defaultSchedule, p.defaultSchedule) && Objects.equals(minSchedule, p.minSchedule)
        && Objects.equals(autoBackoff, p.autoBackoff) && Objects.equals(mergeWorkMemMb, p.mergeWorkMemMb)
        && Objects.equals(statementTimeout, p.statementTimeout) && Objects.equals(lockTimeout, p.lockTimeout)
        && Objects.equals(createSchemas, p.createSchemas) && Objects.equals(verification, p.verification);
  }

  @Override
  public int hashCode() {
    return Objects.hash(differentialMaxChangeRatio, learnFromHistory, maxConcurrentRefreshes, minBackoff,
        maxBackoff, maxConsecutiveErrors, defaultSchedule, minSchedule, autoBackoff, mergeWorkMemMb,
        statementTimeout, lockTimeout, createSchemas, verification);
  }

  @Override
  public String toString() {
    return "RefreshPolicySpec{differentialMaxChangeRatio=" + differentialMaxChangeRatio + ", learnFromHistory="
        + learnFromHistory + ", maxConcurrentRefreshes=" + maxConcurrentRefreshes + ", minBackoff=" + minBackoff
        + ", maxBackoff=" + maxBackoff + ", maxConsecutiveErrors=" + maxConsecutiveErrors + ", defaultSchedule="
        + defaultSchedule + ", minSchedule=" + minSchedule + ", autoBackoff=" + autoBackoff + ", mergeWorkMemMb="
        + mergeWorkMemMb + ", statementTimeout=" + statementTimeout + ", lockTimeout=" + lockTimeout
        + ", createSchemas=" + createSchemas + ", verification=" + verification + "}";
  }
}
