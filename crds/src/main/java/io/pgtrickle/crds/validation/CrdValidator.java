package io.pgtrickle.crds.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.CustomResource;
import io.pgtrickle.crds.v1alpha1.RefreshPolicy;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a StreamTable or RefreshPolicy the way the Kubernetes API server checks it on creation, without an API
 * server: strict field validation (unknown fields), the defaults, the object-name rules, the CRD's OpenAPI schema
 * and its CEL rules, in the API server's order and with its messages. The schema is read from the same Java classes
 * and annotations the CRD YAML is generated from, and the CEL rules have Java implementations ({@link CelRules}),
 * so the standalone CLI ({@code pgtrickle apply -f}) accepts exactly the files {@code kubectl apply} accepts; a test
 * compares this validator's constraints with the generated CRD so that the two cannot drift apart.
 *
 * <p>Transition rules (those reading {@code oldSelf}, such as the immutability of {@code spec.table}) only apply
 * to updates of an object already stored in Kubernetes and are not checked here.
 */
public final class CrdValidator {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** JSON names of the fields of ObjectMeta, which strict field validation accepts under metadata. */
  private static final Set<String> METADATA_FIELDS = JSON.getSerializationConfig()
      .introspect(JSON.constructType(ObjectMeta.class)).findProperties().stream()
      .map(BeanPropertyDefinition::getName).collect(Collectors.toUnmodifiableSet());

  /** The validator of StreamTable resources. */
  public static final CrdValidator STREAM_TABLE = new CrdValidator(StreamTable.class);
  /** The validator of RefreshPolicy resources. */
  public static final CrdValidator REFRESH_POLICY = new CrdValidator(RefreshPolicy.class);

  private static final Map<String, CrdValidator> BY_KIND = Map.of(STREAM_TABLE.kind, STREAM_TABLE,
      REFRESH_POLICY.kind, REFRESH_POLICY);

  private final String kind;
  private final String apiVersion;
  final SchemaNode schema;
  /**
   * CEL rules of the schema without a Java implementation in {@link CelRules}, as {@code path: rule}. They are
   * skipped rather than failing every use of the CLI; {@code ValidatorMatchesCrdTest} fails the build while any
   * exists, which is where such a gap must be caught.
   */
  final List<String> unimplementedRules = new ArrayList<>();

  private CrdValidator(Class<? extends CustomResource<?, ?>> type) {
    this.kind = HasMetadata.getKind(type);
    this.apiVersion = HasMetadata.getApiVersion(type);
    this.schema = SchemaReflection.resource(type);
    collectUnimplementedRules(schema, kind, unimplementedRules);
  }

  /** The validator for resources of {@code kind} ({@code StreamTable}, {@code RefreshPolicy}), if it is ours. */
  public static Optional<CrdValidator> forKind(String kind) {
    return Optional.ofNullable(BY_KIND.get(kind));
  }

  /** The kind this validator checks, such as {@code StreamTable}. */
  public String kind() {
    return kind;
  }

  /** The apiVersion of the kind, such as {@code pgtrickle.io/v1alpha1}. */
  public String apiVersion() {
    return apiVersion;
  }

  /** Every reason the API server would refuse to create {@code resource}; empty when it would accept it. */
  public List<FieldError> validate(HasMetadata resource) {
    return validate((JsonNode) JSON.valueToTree(resource));
  }

  /**
   * Every reason the API server would refuse to create {@code resource}, a whole object (apiVersion, kind,
   * metadata, spec) as read from YAML or JSON; empty when it would accept it. Like the API server, it reports only
   * the unknown fields when there are any (they are refused while the request is decoded, before validation), and
   * skips the CEL rules when a required field is missing or a value has the wrong type or is out of an enum.
   */
  public List<FieldError> validate(JsonNode resource) {
    if (!resource.isObject()) {
      return List.of(new FieldError(FieldError.ROOT, FieldError.Type.TYPE_INVALID, type(resource),
          "a " + kind + " must be an object"));
    }
    ObjectNode object = resource.deepCopy();
    dropNulls(object);

    List<String> unknown = new ArrayList<>();
    unknownFields(schema, object, "", unknown);
    if (!unknown.isEmpty()) {
      return unknown.stream().sorted()
          .map(path -> new FieldError(path, FieldError.Type.UNKNOWN_FIELD, null, "")).toList();
    }

    applyDefaults(schema, object);
    List<FieldError> errors = new ArrayList<>();
    metadata(object.path("metadata"), errors);
    SchemaChecks.check(schema, object, "", errors);
    if (errors.stream().anyMatch(FieldError::blocksCel)) {
      errors.add(FieldError.notChecked());
    } else {
      cel(schema, object, "", errors);
    }
    return errors;
  }

  /** The API server's checks of metadata.name and metadata.namespace for a namespaced custom resource. */
  private static void metadata(JsonNode metadata, List<FieldError> errors) {
    String name = metadata.path("name").asText("");
    if (name.isEmpty()) {
      if (metadata.path("generateName").asText("").isEmpty()) {
        errors.add(FieldError.required("metadata.name", "name or generateName is required"));
      }
    } else {
      ObjectNames.nameErrors(name).forEach(m -> errors.add(FieldError.invalid("metadata.name", name, m)));
    }
    // Without metadata.namespace, kubectl and the CLI use the current or --namespace one, checked where it is read.
    String namespace = metadata.path("namespace").asText("");
    if (!namespace.isEmpty()) {
      ObjectNames.namespaceErrors(namespace)
          .forEach(m -> errors.add(FieldError.invalid("metadata.namespace", namespace, m)));
    }
  }

  /** Evaluates the CEL rules of every present node, outermost first, as the API server does. */
  private static void cel(SchemaNode s, JsonNode value, String path, List<FieldError> errors) {
    if (s.type == SchemaNode.Type.ANY) {
      return;
    }
    for (SchemaNode.Rule rule : s.rules) {
      Optional<CelRules.Check> check = CelRules.of(rule.rule());
      if (check.isEmpty() || CelRules.onUpdateOnly(rule.rule()) || check.get().holds(value)) {
        continue;
      }
      String at = rule.fieldPath().isEmpty() ? (path.isEmpty() ? FieldError.ROOT : path)
          : (path + rule.fieldPath()).replaceFirst("^\\.", "");
      String message = rule.message().isEmpty() ? "failed rule: " + rule.rule() : rule.message();
      errors.add(FieldError.invalid(at, s.type.json, message));
    }
    if (s.type == SchemaNode.Type.OBJECT) {
      s.properties.forEach((name, child) -> {
        if (value.has(name)) {
          cel(child, value.get(name), join(path, name), errors);
        }
      });
    }
  }

  /** Fields the schema does not have, which strict field validation (kubectl's default) refuses. */
  private static void unknownFields(SchemaNode s, JsonNode value, String path, List<String> out) {
    if (!value.isObject()) {
      return;
    }
    if (path.equals("metadata")) {
      value.fieldNames().forEachRemaining(name -> {
        if (!METADATA_FIELDS.contains(name)) {
          out.add(join(path, name));
        }
      });
      return;
    }
    if (s.type != SchemaNode.Type.OBJECT) {
      return;
    }
    value.fields().forEachRemaining(e -> {
      SchemaNode child = s.properties.get(e.getKey());
      if (child == null) {
        out.add(join(path, e.getKey()));
      } else {
        unknownFields(child, e.getValue(), join(path, e.getKey()), out);
      }
    });
  }

  /** The API server's defaulting, which runs before validation: CEL rules see the defaulted values. */
  private static void applyDefaults(SchemaNode s, JsonNode value) {
    if (s.type != SchemaNode.Type.OBJECT || !value.isObject()) {
      return;
    }
    ObjectNode object = (ObjectNode) value;
    s.properties.forEach((name, child) -> {
      if (!object.has(name) && child.defaultValue != null) {
        object.set(name, child.defaultValue.deepCopy());
      }
      if (object.has(name)) {
        applyDefaults(child, object.get(name));
      }
    });
  }

  /** Null values are dropped, as the API server prunes nulls of fields that are not nullable (none of ours is). */
  private static void dropNulls(JsonNode value) {
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull()) {
          it.remove();
        } else {
          dropNulls(e.getValue());
        }
      }
    } else if (value.isArray()) {
      value.forEach(CrdValidator::dropNulls);
    }
  }

  private static void collectUnimplementedRules(SchemaNode s, String path, List<String> out) {
    for (SchemaNode.Rule rule : s.rules) {
      if (CelRules.of(rule.rule()).isEmpty()) {
        out.add(path + ": " + rule.rule());
      }
    }
    s.properties.forEach((name, child) -> collectUnimplementedRules(child, path + "." + name, out));
  }

  /** The JSON type of a value, in OpenAPI's words. */
  static String type(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isIntegralNumber() || v.isFloatingPointNumber() && v.doubleValue() == Math.rint(v.doubleValue())
        && !Double.isInfinite(v.doubleValue())) {
      return "integer"; // the API server reads 2.0 as the integer 2
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    if (v.isArray()) {
      return "array";
    }
    return v.isObject() ? "object" : "null";
  }

  static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
