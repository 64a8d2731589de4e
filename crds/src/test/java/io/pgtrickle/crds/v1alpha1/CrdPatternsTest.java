package io.pgtrickle.crds.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The regular expressions behind the CEL rules and patterns, evaluated like CEL's {@code matches} (an unanchored
 * search; the expressions carry their own anchors). Java's regex engine agrees with RE2 on these expressions.
 */
class CrdPatternsTest {

  static boolean isSchedule(String s) {
    return find(CrdPatterns.DURATION, s) || find(CrdPatterns.CRON_5_FIELDS, s) || find(CrdPatterns.CRON_MACRO, s);
  }

  private static boolean find(String regex, String s) {
    return Pattern.compile(regex).matcher(s).find();
  }

  @ParameterizedTest
  @ValueSource(strings = {"30s", "5m", "1h30m", "500ms", "1d", "0s", "2h", "1h0m30s", "*/5 * * * *", "0 3 * * 1-5",
      "15,45 9-17 * JAN-MAR MON", "0 0 1 */2 *", "@hourly", "@daily", "@weekly", "@monthly", "@yearly",
      "@annually", "@midnight", "0  0 * * *"})
  void validSchedules(String schedule) {
    assertTrue(isSchedule(schedule), schedule);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "5", "5 m", "5min", "1.5h", "-1s", "1h 30m", "30s ", " 30s", "* * * *",
      "* * * * * *", "@every 5m", "@reboot", "*/5 * * * *;", "5s\n* * * * *"})
  void invalidSchedules(String schedule) {
    assertFalse(isSchedule(schedule), schedule);
  }

  @ParameterizedTest
  @ValueSource(strings = {"order_totals", "analytics.order_totals", "_t", "s1.t_2"})
  void validTables(String table) {
    assertTrue(find(CrdPatterns.TABLE_NAME, table), table);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Orders", "1t", "a.b.c", "a.", ".a", "order-totals", "\"quoted\"", "a b",
      "a123456789012345678901234567890123456789012345678901234567890123"})
  void invalidTables(String table) {
    assertFalse(find(CrdPatterns.TABLE_NAME, table), table);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pg_catalog.pg_class", "pg_toast.t", "pg_temp_1.t", "information_schema.tables",
      "pgtrickle.t", "pgtrickle_changes.t"})
  void systemSchemas(String table) {
    assertTrue(find(CrdPatterns.SYSTEM_SCHEMA, table), table);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pg_class", "public.pg_class", "pgtrickle_x.t", "xpg_catalog.t", "analytics.t"})
  void notSystemSchemas(String table) {
    assertFalse(find(CrdPatterns.SYSTEM_SCHEMA, table), table);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pg", "pg-app", "my.secret-1"})
  void validObjectNames(String name) {
    assertTrue(find(CrdPatterns.OBJECT_NAME, name), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "PG", "-pg", "pg-", "pg_app"})
  void invalidObjectNames(String name) {
    assertFalse(find(CrdPatterns.OBJECT_NAME, name), name);
  }
}
