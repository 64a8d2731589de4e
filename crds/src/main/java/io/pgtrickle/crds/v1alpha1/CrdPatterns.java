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

  private CrdPatterns() {
  }
}
