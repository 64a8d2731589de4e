package io.pgtrickle.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * The desired state of a stream table, owned by the user: where it lives, the defining query and how it is
 * refreshed. Validation that only needs the object itself (required fields, formats, immutability of the storage
 * table) is expressed here as OpenAPI/CEL so that bad specs are rejected by the API server at apply time instead
 * of surfacing later as a failed reconcile; defaults are mirrored in the Java field initialisers so that code
 * reading manifests without an API server (the standalone CLI, tests) sees the same values.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = CrdPatterns.TABLE_PRESENCE_RULE,
    message = "table cannot be added or removed after creation; delete and recreate the StreamTable instead")
public class StreamTableSpec {

  @JsonPropertyDescription("The PostgreSQL database to maintain the stream table in. Required by the operator, "
      + "ignored by the standalone CLI (which takes the connection from its command line).")
  private Target target;

  @Size(min = 1, max = 63)
  @JsonPropertyDescription("Database name to connect to; overrides the dbname key of the connection Secret "
      + "(for a CloudNativePG cluster, the <cluster>-app Secret).")
  private String database;

  @Size(max = 127)
  @Pattern(CrdPatterns.TABLE_NAME)
  @ValidationRule(value = CrdPatterns.IMMUTABLE_RULE, message = "table is immutable")
  @ValidationRule(value = CrdPatterns.TABLE_SCHEMA_RULE, message = CrdPatterns.TABLE_SCHEMA_MESSAGE)
  @JsonPropertyDescription("Storage table, as schema.table or table (lower-case unquoted PostgreSQL identifiers). "
      + "Defaults to a name derived from metadata.name; status.table shows the resolved, schema-qualified name. "
      + "Immutable: it can be neither changed, added nor removed after creation.")
  private String table;

  @Required
  @Size(min = 1, max = 65536)
  @ValidationRule(value = CrdPatterns.NOT_BLANK_RULE, message = "query must not be empty")
  @JsonPropertyDescription("The defining SELECT query. Its result is materialised in the storage table and kept "
      + "up to date as the source tables change.")
  private String query;

  @Default("AUTO")
  @JsonPropertyDescription("How the table is refreshed: AUTO (DIFFERENTIAL when the query supports it and the "
      + "change ratio is below the policy's differentialMaxChangeRatio, otherwise FULL), DIFFERENTIAL (apply only "
      + "captured changes), FULL (recompute everything) or IMMEDIATE (maintained synchronously in the source "
      + "transaction). status.effectiveRefreshMode shows the mode in use and why.")
  private RefreshMode refreshMode;

  @Size(max = CrdPatterns.SCHEDULE_MAX_LENGTH)
  @ValidationRule(value = CrdPatterns.SCHEDULE_RULE, message = "schedule " + CrdPatterns.SCHEDULE_MESSAGE)
  @JsonPropertyDescription("When to refresh: a duration between refreshes (500ms, 30s, 5m, 1h30m, 1d) or a "
      + "5-field cron expression ('*/5 * * * *', or @hourly, @daily, ...). When omitted, the schedule is derived "
      + "from the stream tables that read from this one, or else the RefreshPolicy's defaultSchedule applies. "
      + "Ignored for IMMEDIATE mode.")
  private String schedule;

  @JsonPropertyDescription("RefreshPolicy in the same namespace holding the tuning knobs (fallback threshold, "
      + "concurrency, backoff, error limit). When omitted, the RefreshPolicy defaults apply.")
  private LocalObjectReference refreshPolicyRef;

  @Default("false")
  @JsonPropertyDescription("While true, no refreshes are scheduled; the storage table keeps its last contents. "
      + "The stream table stops holding captured changes (a source's change capture is removed when no other "
      + "stream table reads it), so the first refresh after resuming recomputes in full.")
  private Boolean suspend;

  @Default("Delete")
  @JsonPropertyDescription("What happens to the storage table when the StreamTable is deleted: Delete drops it, "
      + "Retain keeps the table and its data and only stops maintaining it.")
  private ReclaimPolicy reclaimPolicy;

  public Target getTarget() {
    return target;
  }

  public void setTarget(Target target) {
    this.target = target;
  }

  public String getDatabase() {
    return database;
  }

  public void setDatabase(String database) {
    this.database = database;
  }

  public String getTable() {
    return table;
  }

  public void setTable(String table) {
    this.table = table;
  }

  public String getQuery() {
    return query;
  }

  public void setQuery(String query) {
    this.query = query;
  }

  public RefreshMode getRefreshMode() {
    return refreshMode;
  }

  public void setRefreshMode(RefreshMode refreshMode) {
    this.refreshMode = refreshMode;
  }

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public LocalObjectReference getRefreshPolicyRef() {
    return refreshPolicyRef;
  }

  public void setRefreshPolicyRef(LocalObjectReference refreshPolicyRef) {
    this.refreshPolicyRef = refreshPolicyRef;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public ReclaimPolicy getReclaimPolicy() {
    return reclaimPolicy;
  }

  public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) {
    this.reclaimPolicy = reclaimPolicy;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof StreamTableSpec)) {
      return false;
    }
    StreamTableSpec s = (StreamTableSpec) o;
    return Objects.equals(target, s.target) && Objects.equals(database, s.database)
        && Objects.equals(table, s.table) && Objects.equals(query, s.query) && refreshMode == s.refreshMode
        && Objects.equals(schedule, s.schedule) && Objects.equals(refreshPolicyRef, s.refreshPolicyRef)
        && Objects.equals(suspend, s.suspend) && reclaimPolicy == s.reclaimPolicy;
  }

  @Override
  public int hashCode() {
    return Objects.hash(target, database, table, query, refreshMode, schedule, refreshPolicyRef, suspend,
        reclaimPolicy);
  }

  @Override
  public String toString() {
    return "StreamTableSpec{target=" + target + ", database=" + database + ", table=" + table + ", query=" + query
        + ", refreshMode=" + refreshMode + ", schedule=" + schedule + ", refreshPolicyRef=" + refreshPolicyRef
        + ", suspend=" + suspend + ", reclaimPolicy=" + reclaimPolicy + "}";
  }
}
