package io.pgtrickle.crds.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgtrickle.crds.v1alpha1.CrdPatterns;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Java implementations of the CEL rules ({@code x-kubernetes-validations}) that the CRDs use, keyed by the exact
 * rule text, which comes from {@link CrdPatterns} for both the annotations and this table. There is no general CEL
 * interpreter: each rule is a few lines of Java, and a rule without an entry here fails the drift test
 * ({@code ValidatorMatchesCrdTest}), so a new rule cannot silently go unchecked by the CLI. CEL's {@code matches} is
 * an unanchored RE2 search, which is {@link Matcher#find()} for these expressions.
 */
final class CelRules {

  /** A rule evaluated on the value of the node it is attached to (CEL's {@code self}). */
  @FunctionalInterface
  interface Check {
    boolean holds(JsonNode self);
  }

  /** Marker for transition rules (they read {@code oldSelf}): the API server evaluates them on updates only. */
  private static final Check ON_UPDATE_ONLY = self -> true;

  private static final Pattern CEL_DURATION_PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

  private static final Map<String, Check> RULES = Map.ofEntries(
      Map.entry(CrdPatterns.SCHEDULE_RULE, self -> matches(self, CrdPatterns.DURATION)
          || matches(self, CrdPatterns.CRON_5_FIELDS) || matches(self, CrdPatterns.CRON_MACRO)),
      Map.entry(CrdPatterns.DURATION_RULE, self -> matches(self, CrdPatterns.DURATION)),
      // RefreshPolicy spec.verification.interval: a duration, or empty for never.
      Map.entry("self == '' || " + CrdPatterns.DURATION_RULE,
          self -> self.asText().isEmpty() || matches(self, CrdPatterns.DURATION)),
      Map.entry(CrdPatterns.NOT_BLANK_RULE, self -> matches(self, "\\S")),
      Map.entry(CrdPatterns.TABLE_SCHEMA_RULE, self -> !matches(self, CrdPatterns.SYSTEM_SCHEMA)),
      Map.entry(CrdPatterns.ONE_TARGET_RULE, self -> self.has("cluster") != self.has("connectionSecretRef")),
      Map.entry(CrdPatterns.BACKOFF_ORDER_RULE, CelRules::backoffInOrder),
      Map.entry(CrdPatterns.TABLE_FROM_NAME_RULE, self -> !self.has("spec") || self.get("spec").has("table")
          || matches(self.path("metadata").path("name"), CrdPatterns.TABLE_FROM_NAME)),
      Map.entry(CrdPatterns.IMMUTABLE_RULE, ON_UPDATE_ONLY),
      Map.entry(CrdPatterns.TABLE_PRESENCE_RULE, ON_UPDATE_ONLY));

  private CelRules() {
  }

  /** The implementation of {@code rule}, empty when there is none. */
  static Optional<Check> of(String rule) {
    return Optional.ofNullable(RULES.get(rule));
  }

  /** Whether {@code rule} is a transition rule, skipped when an object is created. */
  static boolean onUpdateOnly(String rule) {
    return RULES.get(rule) == ON_UPDATE_ONLY;
  }

  private static final Map<String, Pattern> COMPILED = new ConcurrentHashMap<>();

  private static boolean matches(JsonNode self, String regex) {
    return self.isTextual() && COMPILED.computeIfAbsent(regex, Pattern::compile).matcher(self.asText()).find();
  }

  /** {@link CrdPatterns#BACKOFF_ORDER_RULE}, comparing the durations exactly as CEL's {@code duration()} would. */
  private static boolean backoffInOrder(JsonNode self) {
    if (!self.has("minBackoff") || !self.has("maxBackoff")) {
      return true;
    }
    JsonNode min = self.get("minBackoff");
    JsonNode max = self.get("maxBackoff");
    if (!matches(min, CrdPatterns.CEL_DURATION) || !matches(max, CrdPatterns.CEL_DURATION)) {
      return true;
    }
    return nanos(min.asText()).compareTo(nanos(max.asText())) <= 0;
  }

  /** A {@link CrdPatterns#CEL_DURATION} in nanoseconds; big, because a 32-character duration can exceed a long. */
  static BigInteger nanos(String duration) {
    BigInteger total = BigInteger.ZERO;
    Matcher m = CEL_DURATION_PART.matcher(duration);
    while (m.find()) {
      long unit = switch (m.group(2)) {
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      total = total.add(new BigInteger(m.group(1)).multiply(BigInteger.valueOf(unit)));
    }
    return total;
  }
}
