package io.pgtrickle.crds.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One node of a custom resource's OpenAPI schema as the Java validator sees it, built from the same Java classes
 * and annotations the CRD generator reads ({@link SchemaReflection}). It holds only what validation needs: the
 * JSON type, the constraints (OpenAPI keywords and CEL rules) and the default, which the API server applies before
 * it runs the CEL rules. {@link #constraints(String, List)} lists them in the same form the drift test reads from
 * the generated CRD YAML, so that the two can be compared entry by entry.
 */
final class SchemaNode {

  /** JSON types of the schema; ANY is a node the validator deliberately leaves alone (metadata, status). */
  enum Type {
    OBJECT("object"), STRING("string"), INTEGER("integer"), NUMBER("number"), BOOLEAN("boolean"), ANY(null);

    final String json;

    Type(String json) {
      this.json = json;
    }
  }

  /** An {@code x-kubernetes-validations} entry; {@code fieldPath} is empty unless the rule reports elsewhere. */
  record Rule(String rule, String message, String fieldPath) {
  }

  final Type type;
  final Map<String, SchemaNode> properties = new LinkedHashMap<>();
  final List<String> required = new ArrayList<>();
  final List<Rule> rules = new ArrayList<>();
  List<String> enumValues;
  Long minLength;
  Long maxLength;
  String pattern;
  Pattern compiledPattern;
  Double minimum;
  boolean exclusiveMinimum;
  Double maximum;
  boolean exclusiveMaximum;
  JsonNode defaultValue;

  SchemaNode(Type type) {
    this.type = type;
  }

  /**
   * Every constraint of this node and the nodes below it, one {@code path keyword value} string each, the path
   * dotted from the root ({@code spec.table pattern ^[a-z_]...}). ANY nodes contribute nothing.
   */
  void constraints(String path, List<String> out) {
    if (type == Type.ANY) {
      return;
    }
    String at = path.isEmpty() ? "." : path;
    out.add(at + " type " + type.json);
    if (!required.isEmpty()) {
      out.add(at + " required " + required);
    }
    if (enumValues != null) {
      out.add(at + " enum " + enumValues);
    }
    add(out, at, "minLength", minLength);
    add(out, at, "maxLength", maxLength);
    add(out, at, "pattern", pattern);
    add(out, at, "minimum", minimum);
    add(out, at, "maximum", maximum);
    if (exclusiveMinimum) {
      out.add(at + " exclusiveMinimum true");
    }
    if (exclusiveMaximum) {
      out.add(at + " exclusiveMaximum true");
    }
    add(out, at, "default", defaultValue);
    for (Rule r : rules) {
      out.add(at + " x-kubernetes-validations rule=" + r.rule() + " message=" + r.message()
          + (r.fieldPath().isEmpty() ? "" : " fieldPath=" + r.fieldPath()));
    }
    properties.forEach((name, child) -> child.constraints(path.isEmpty() ? name : path + "." + name, out));
  }

  private static void add(List<String> out, String at, String keyword, Object value) {
    if (value != null) {
      out.add(at + " " + keyword + " " + value);
    }
  }
}
