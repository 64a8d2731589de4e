package io.pgtrickle.crds.v1alpha1;

/**
 * Regular expressions and CEL rules shared by several fields of the custom resources. They are compile-time
 * constants so that the CRD-generator annotations (which need constant values) and the operator/CLI code that
 * parses the same strings use one definition; change them here and regenerate the CRD YAML.
 */
public final class CrdPatterns {

  /** A duration: one or more {@code <digits><unit>} groups, unit one of ms, s, m, h, d; e.g. 30s, 5m, 1h30m, 500ms. */
  public static final String DURATION = "^([0-9]+(ms|s|m|h|d))+$";

  /**
   * The subset of {@link #DURATION} that CEL's {@code duration()} accepts (no days); rules compare durations only
   * when both match it.
   */
  public static final String CEL_DURATION = "^([0-9]+(ms|s|m|h))+$";

  /** A cron macro such as {@code @hourly} or {@code @daily}. */
  public static final String CRON_MACRO = "^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$";

  /**
   * A five-field cron expression (minute hour day-of-month month day-of-week), fields separated by spaces, each
   * field made of digits, names (JAN, MON, ...) and the characters {@code * / , -}.
   */
  public static final String CRON_5_FIELDS = "^([0-9A-Za-z*/,-]+ +){4}[0-9A-Za-z*/,-]+$";

  /** Longest accepted schedule string (keeps the CEL cost estimate small). */
  public static final int SCHEDULE_MAX_LENGTH = 128;

  /** CEL rule for a schedule field: a duration, a 5-field cron expression or a cron macro. */
  public static final String SCHEDULE_RULE = "self.matches('" + DURATION + "') || self.matches('" + CRON_5_FIELDS
      + "') || self.matches('" + CRON_MACRO + "')";

  /** Message shown when {@link #SCHEDULE_RULE} fails. */
  public static final String SCHEDULE_MESSAGE = "must be a duration such as 500ms, 30s, 5m, 1h30m or 1d, "
      + "a 5-field cron expression such as '*/5 * * * *', or one of @hourly, @daily, @weekly, @monthly, @yearly";

  /** CEL rule for a duration field. */
  public static final String DURATION_RULE = "self.matches('" + DURATION + "')";

  /** Message shown when {@link #DURATION_RULE} fails. */
  public static final String DURATION_MESSAGE = "must be a duration such as 500ms, 30s, 5m, 1h30m or 1d";

  /** A Kubernetes object name (DNS-1123 subdomain). */
  public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /**
   * A storage table: {@code table} or {@code schema.table}, each part an unquoted lower-case PostgreSQL identifier
   * of at most 63 characters (letters, digits, underscores, not starting with a digit).
   */
  public static final String TABLE_NAME = "^[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?$";

  /**
   * The schema part of a {@link #TABLE_NAME} that belongs to PostgreSQL or to pg-trickle: {@code pg_catalog},
   * {@code pg_toast}, {@code pg_temp_N} and every other {@code pg_*} schema (PostgreSQL reserves the prefix, so no
   * user schema can have it), {@code information_schema}, and pg-trickle's own {@code pgtrickle} and
   * {@code pgtrickle_changes}. Case-insensitive, so that {@code PG_CATALOG.t} is told it names a system schema too
   * (besides breaking {@link #TABLE_NAME}); {@code [.]} rather than an escaped dot keeps the CEL string free of
   * backslashes.
   */
  public static final String SYSTEM_SCHEMA =
      "(?i)^(pg_[a-z0-9_]*|information_schema|pgtrickle|pgtrickle_changes)[.]";

  /** CEL rule for {@code spec.table}: not in a {@link #SYSTEM_SCHEMA}. */
  public static final String TABLE_SCHEMA_RULE = "!self.matches('" + SYSTEM_SCHEMA + "')";

  /** Message shown when {@link #TABLE_SCHEMA_RULE} fails. */
  public static final String TABLE_SCHEMA_MESSAGE = "table must not be in a system schema (pg_catalog, pg_toast or "
      + "another pg_* schema, information_schema) nor in pg-trickle's own (pgtrickle, pgtrickle_changes); use a "
      + "schema of your own, such as analytics.my_table";

  /**
   * A {@code metadata.name} from which a valid storage table name can be derived ({@code -} and {@code .} become
   * {@code _}): it starts with a letter and has at most 63 characters, PostgreSQL's identifier limit, beyond which
   * PostgreSQL would silently truncate the name while the catalog and the status kept the long one.
   */
  public static final String TABLE_FROM_NAME = "^[a-z][-a-z0-9.]{0,62}$";

  /** CEL rule at the root of a StreamTable: without spec.table, metadata.name must make a {@link #TABLE_FROM_NAME}. */
  public static final String TABLE_FROM_NAME_RULE = "!has(self.spec) || has(self.spec.table) || "
      + "self.metadata.name.matches('" + TABLE_FROM_NAME + "')";

  /** Message shown when {@link #TABLE_FROM_NAME_RULE} fails. */
  public static final String TABLE_FROM_NAME_MESSAGE = "without spec.table the storage table is named after "
      + "metadata.name, which must then start with a letter and have at most 63 characters (PostgreSQL's limit for "
      + "a table name); set spec.table or choose a shorter name";

  /** CEL rule for a string that must hold something other than white space (the query). */
  public static final String NOT_BLANK_RULE = "self.matches('\\\\S')";

  /** CEL rule for a Target: exactly one way to reach the database. */
  public static final String ONE_TARGET_RULE = "has(self.cluster) != has(self.connectionSecretRef)";

  /** Message shown when {@link #ONE_TARGET_RULE} fails. */
  public static final String ONE_TARGET_MESSAGE = "exactly one of cluster or connectionSecretRef must be set";

  /**
   * CEL rule for a RefreshPolicy spec: minBackoff is not longer than maxBackoff. CEL's {@code duration()} knows no
   * days, so the comparison is skipped unless both match {@link #CEL_DURATION}.
   */
  public static final String BACKOFF_ORDER_RULE = "!has(self.minBackoff) || !has(self.maxBackoff)"
      + " || !self.minBackoff.matches('" + CEL_DURATION + "')"
      + " || !self.maxBackoff.matches('" + CEL_DURATION + "')"
      + " || duration(self.minBackoff) <= duration(self.maxBackoff)";

  /** Message shown when {@link #BACKOFF_ORDER_RULE} fails. */
  public static final String BACKOFF_ORDER_MESSAGE = "minBackoff must not be greater than maxBackoff";

  /** CEL transition rule (checked on update only): the value never changes. */
  public static final String IMMUTABLE_RULE = "self == oldSelf";

  /** CEL transition rule for a StreamTable spec: table is neither added nor removed by an update. */
  public static final String TABLE_PRESENCE_RULE = "has(self.table) == has(oldSelf.table)";

  private CrdPatterns() {
  }
}
