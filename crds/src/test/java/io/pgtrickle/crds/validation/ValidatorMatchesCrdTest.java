package io.pgtrickle.crds.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java validator knows every constraint of the generated CRD, and enforces none the CRD lacks: the schema of
 * each CRD this build generated is walked key by key, and every constraint (type, required, enum, lengths,
 * pattern, bounds, default, CEL rule) must appear, at the same path with the same value, in the validator's own
 * list. A keyword the walk does not understand fails the test too, so a new kind of constraint cannot slip past.
 */
class ValidatorMatchesCrdTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Keywords that only shape or describe the schema. */
  private static final Set<String> STRUCTURE = Set.of("properties", "items", "description");

  @ParameterizedTest
  @CsvSource({"StreamTable, streamtables.pgtrickle.io-v1.yml", "RefreshPolicy, refreshpolicies.pgtrickle.io-v1.yml"})
  void everyConstraintOfTheGeneratedCrdIsKnownToTheValidatorAndNoOther(String kind, String crdFile)
      throws IOException {
    JsonNode crd;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/fabric8/" + crdFile)) {
      if (in == null) {
        throw new IllegalStateException(crdFile + " was not generated: run the build through process-classes");
      }
      crd = YAML.readTree(in);
    }
    JsonNode versions = crd.path("spec").path("versions");
    assertEquals(1, versions.size(), "one version");
    Set<String> inCrd = new TreeSet<>();
    walk(versions.get(0).path("schema").path("openAPIV3Schema"), "", inCrd);
    assertTrue(inCrd.stream().anyMatch(c -> c.contains("x-kubernetes-validations")), "the walk found the rules");

    CrdValidator validator = CrdValidator.forKind(kind).orElseThrow();
    assertEquals(List.of(), validator.unimplementedRules, "CEL rules without a Java implementation in CelRules");
    List<String> javaList = new ArrayList<>();
    validator.schema.constraints("", javaList);
    Set<String> inJava = new TreeSet<>(javaList);

    Set<String> unknownToJava = new TreeSet<>(inCrd);
    unknownToJava.removeAll(inJava);
    Set<String> notInCrd = new TreeSet<>(inJava);
    notInCrd.removeAll(inCrd);
    if (!unknownToJava.isEmpty() || !notInCrd.isEmpty()) {
      fail(crdFile + " and the Java validator differ.\nIn the CRD, unknown to the validator (teach "
          + "SchemaReflection/CelRules):\n  " + String.join("\n  ", unknownToJava)
          + "\nEnforced by the validator, not in the CRD:\n  " + String.join("\n  ", notInCrd));
    }
  }

  private static void walk(JsonNode schema, String path, Set<String> out) {
    String at = path.isEmpty() ? "." : path;
    // The validator leaves status alone (the API server drops it from created objects before validating), so
    // the types of its fields are no constraint for it; any real constraint under status still shows up below.
    boolean status = path.equals("status") || path.startsWith("status.");
    for (Map.Entry<String, JsonNode> e : iterable(schema)) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      switch (key) {
        case "properties" -> iterable(value).forEach(p -> walk(p.getValue(),
            path.isEmpty() ? p.getKey() : path + "." + p.getKey(), out));
        case "items" -> walk(value, path + ".items", out);
        case "type" -> {
          if (!status) {
            out.add(at + " type " + value.asText());
          }
        }
        case "required", "enum" -> {
          List<String> values = new ArrayList<>();
          value.forEach(v -> values.add(v.asText()));
          out.add(at + " " + key + " " + values);
        }
        case "minLength", "maxLength" -> out.add(at + " " + key + " " + value.asLong());
        case "minimum", "maximum" -> out.add(at + " " + key + " " + value.asDouble());
        case "pattern", "exclusiveMinimum", "exclusiveMaximum" -> out.add(at + " " + key + " " + value.asText());
        case "default" -> out.add(at + " default " + value);
        case "x-kubernetes-validations" -> value.forEach(rule -> out.add(at + " x-kubernetes-validations rule="
            + rule.path("rule").asText() + " message=" + rule.path("message").asText()
            + (rule.has("fieldPath") ? " fieldPath=" + rule.path("fieldPath").asText() : "")
            + unexpected(rule)));
        default -> {
          if (!STRUCTURE.contains(key)) {
            out.add(at + " keyword the validator does not implement: " + key + "=" + value);
          }
        }
      }
    }
  }

  /** CEL rule keys the validator does not implement (messageExpression, reason, optionalOldSelf). */
  private static String unexpected(JsonNode rule) {
    StringBuilder s = new StringBuilder();
    rule.fieldNames().forEachRemaining(k -> {
      if (!Set.of("rule", "message", "fieldPath").contains(k)) {
        s.append(" unimplemented ").append(k);
      }
    });
    return s.toString();
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
    return node::fields;
  }
}
