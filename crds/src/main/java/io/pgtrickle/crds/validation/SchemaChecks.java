package io.pgtrickle.crds.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The OpenAPI part of the API server's validation (kube-openapi's validators, as apiextensions-apiserver turns their
 * results into field errors): type, required, enum, minLength/maxLength/pattern and minimum/maximum, with the same
 * messages and the same shortcuts (a string reports only its first failing length or pattern check; a value of the
 * wrong type reports nothing else but an enum miss). Lengths count characters (code points), as Go's
 * {@code utf8.RuneCount} does, although the API server's message for a too long value says bytes.
 */
final class SchemaChecks {

  private SchemaChecks() {
  }

  static void check(SchemaNode s, JsonNode value, String path, List<FieldError> errors) {
    if (s.type == SchemaNode.Type.ANY) {
      return;
    }
    if (!typeMatches(s.type, value)) {
      String found = CrdValidator.type(value);
      errors.add(new FieldError(path, FieldError.Type.TYPE_INVALID, found,
          path + " in body must be of type " + s.type.json + ": " + GoText.quote(found)));
      checkEnum(s, value, path, errors);
      return;
    }
    switch (s.type) {
      case OBJECT -> {
        for (String name : s.required) {
          if (!value.has(name)) {
            errors.add(FieldError.required(CrdValidator.join(path, name), ""));
          }
        }
        s.properties.forEach((name, child) -> {
          if (value.has(name)) {
            check(child, value.get(name), CrdValidator.join(path, name), errors);
          }
        });
      }
      case STRING -> checkString(s, value.asText(), path, errors);
      case INTEGER, NUMBER -> checkNumber(s, value, path, errors);
      default -> {
        // booleans have no constraints
      }
    }
    checkEnum(s, value, path, errors);
  }

  private static boolean typeMatches(SchemaNode.Type type, JsonNode v) {
    return switch (type) {
      case OBJECT -> v.isObject();
      case STRING -> v.isTextual();
      case INTEGER -> "integer".equals(CrdValidator.type(v));
      case NUMBER -> v.isNumber();
      case BOOLEAN -> v.isBoolean();
      case ANY -> true;
    };
  }

  private static void checkString(SchemaNode s, String v, String path, List<FieldError> errors) {
    long length = v.codePointCount(0, v.length());
    if (s.maxLength != null && length > s.maxLength) {
      errors.add(new FieldError(path, FieldError.Type.TOO_LONG, null,
          "may not be more than " + s.maxLength + (s.maxLength == 1 ? " byte" : " bytes")));
    } else if (s.minLength != null && length < s.minLength) {
      errors.add(FieldError.invalid(path, v, path + " in body should be at least " + s.minLength + " chars long"));
    } else if (s.compiledPattern != null && !s.compiledPattern.matcher(v).find()) {
      errors.add(FieldError.invalid(path, v, path + " in body should match '" + s.pattern + "'"));
    }
  }

  private static void checkNumber(SchemaNode s, JsonNode v, String path, List<FieldError> errors) {
    double d = v.doubleValue();
    Object shown = "integer".equals(CrdValidator.type(v)) ? (Object) v.longValue() : (Object) d;
    if (s.maximum != null && (s.exclusiveMaximum ? d >= s.maximum : d > s.maximum)) {
      errors.add(FieldError.invalid(path, shown, path + " in body should be less than "
          + (s.exclusiveMaximum ? "" : "or equal to ") + GoText.number(s.maximum)));
    }
    if (s.minimum != null && (s.exclusiveMinimum ? d <= s.minimum : d < s.minimum)) {
      errors.add(FieldError.invalid(path, shown, path + " in body should be greater than "
          + (s.exclusiveMinimum ? "" : "or equal to ") + GoText.number(s.minimum)));
    }
  }

  private static void checkEnum(SchemaNode s, JsonNode v, String path, List<FieldError> errors) {
    if (s.enumValues == null || v.isTextual() && s.enumValues.contains(v.asText())) {
      return;
    }
    Object shown = v.isTextual() ? v.asText() : v.isIntegralNumber() ? (Object) v.longValue()
        : v.isNumber() ? (Object) v.doubleValue() : v.isBoolean() ? (Object) v.asBoolean() : v.toString();
    errors.add(new FieldError(path, FieldError.Type.NOT_SUPPORTED, shown, "supported values: "
        + s.enumValues.stream().map(GoText::quote).collect(Collectors.joining(", "))));
  }
}
