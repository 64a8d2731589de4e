package io.pgtrickle.crds.validation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the {@link SchemaNode} tree of a custom resource from its Java classes, reading the same annotations the
 * Fabric8 CRD generator turns into the CRD's OpenAPI schema ({@code @Required}, {@code @Size}, {@code @Pattern},
 * {@code @Min}, {@code @Max}, {@code @Default}, {@code @ValidationRule} on fields, getters and classes, and enum
 * types). Reading the annotations rather than restating them is what keeps the CLI's checks and the API server's
 * the same; a field type it cannot model fails loudly instead of going unchecked.
 */
final class SchemaReflection {

  private static final Set<Class<?>> INTEGERS = Set.of(Integer.class, int.class, Long.class, long.class,
      Short.class, short.class);
  private static final Set<Class<?>> NUMBERS = Set.of(Double.class, double.class, Float.class, float.class);

  private SchemaReflection() {
  }

  /**
   * The schema of a whole custom resource: apiVersion, kind and metadata (left to the caller: their rules are the
   * API server's, not the CRD's), spec from the resource's spec class and status unchecked, because the API server
   * drops the status of a created object when the status subresource is on, before it validates.
   */
  static SchemaNode resource(Class<? extends CustomResource<?, ?>> type) {
    SchemaNode root = new SchemaNode(SchemaNode.Type.OBJECT);
    for (String implicit : List.of("apiVersion", "kind", "metadata", "status")) {
      root.properties.put(implicit, new SchemaNode(SchemaNode.Type.ANY));
    }
    Class<?> specType = typeArgument(type, 0);
    Method getSpec = method(type, "getSpec");
    root.properties.put("spec", property(specType, getSpec, null));
    if (has(getSpec, null, Required.class)) {
      root.required.add("spec");
    }
    root.rules.addAll(rules(type));
    return root;
  }

  /** The schema of an object class: one property per serialised field. */
  private static SchemaNode object(Class<?> type) {
    SchemaNode node = new SchemaNode(SchemaNode.Type.OBJECT);
    for (Field f : type.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())
          || f.isAnnotationPresent(JsonIgnore.class)) {
        continue;
      }
      JsonProperty renamed = f.getAnnotation(JsonProperty.class);
      String name = renamed != null && !renamed.value().isEmpty() ? renamed.value() : f.getName();
      Method getter = getter(type, f.getName());
      node.properties.put(name, property(f.getType(), getter, f));
      if (has(getter, f, Required.class)) {
        node.required.add(name);
      }
    }
    node.rules.addAll(rules(type));
    return node;
  }

  /** The schema of one property of Java type {@code type}, with the annotations of its field and getter. */
  private static SchemaNode property(Class<?> type, Method getter, Field field) {
    SchemaNode node;
    if (type == String.class) {
      node = new SchemaNode(SchemaNode.Type.STRING);
    } else if (INTEGERS.contains(type)) {
      node = new SchemaNode(SchemaNode.Type.INTEGER);
    } else if (NUMBERS.contains(type)) {
      node = new SchemaNode(SchemaNode.Type.NUMBER);
    } else if (type == Boolean.class || type == boolean.class) {
      node = new SchemaNode(SchemaNode.Type.BOOLEAN);
    } else if (type.isEnum()) {
      node = new SchemaNode(SchemaNode.Type.STRING);
      node.enumValues = enumValues(type);
    } else if (type.getPackageName().startsWith("io.pgtrickle.crds")) {
      node = object(type);
    } else {
      throw new IllegalStateException("cannot model the type " + type.getName() + " of " + where(getter, field)
          + " for validation; extend SchemaReflection (and the drift test) before using it in a spec");
    }
    Size size = find(getter, field, Size.class);
    if (size != null) {
      // The generator leaves the annotation's defaults (0 and Long.MAX_VALUE) out of the schema.
      node.minLength = size.min() > 0 ? size.min() : null;
      node.maxLength = size.max() < Long.MAX_VALUE ? size.max() : null;
    }
    Pattern pattern = find(getter, field, Pattern.class);
    if (pattern != null) {
      node.pattern = pattern.value();
      node.compiledPattern = java.util.regex.Pattern.compile(pattern.value());
    }
    Min min = find(getter, field, Min.class);
    if (min != null) {
      node.minimum = min.value();
      node.exclusiveMinimum = !min.inclusive();
    }
    Max max = find(getter, field, Max.class);
    if (max != null) {
      node.maximum = max.value();
      node.exclusiveMaximum = !max.inclusive();
    }
    Default dflt = find(getter, field, Default.class);
    if (dflt != null) {
      node.defaultValue = defaultValue(node.type, dflt.value());
    }
    for (AnnotatedElement e : new AnnotatedElement[] {field, getter}) {
      if (e != null) {
        for (ValidationRule r : e.getAnnotationsByType(ValidationRule.class)) {
          node.rules.add(rule(r));
        }
      }
    }
    return node;
  }

  private static List<SchemaNode.Rule> rules(Class<?> type) {
    List<SchemaNode.Rule> out = new ArrayList<>();
    for (ValidationRule r : type.getAnnotationsByType(ValidationRule.class)) {
      out.add(rule(r));
    }
    return out;
  }

  private static SchemaNode.Rule rule(ValidationRule r) {
    if (!r.messageExpression().isEmpty() || !r.reason().isEmpty() || r.optionalOldSelf()) {
      throw new IllegalStateException("CEL rule " + r.value() + " uses messageExpression, reason or "
          + "optionalOldSelf, which the Java validator does not implement");
    }
    return new SchemaNode.Rule(r.value(), r.message(), r.fieldPath());
  }

  private static List<String> enumValues(Class<?> type) {
    List<String> values = new ArrayList<>();
    for (Object constant : type.getEnumConstants()) {
      String name = ((Enum<?>) constant).name();
      try {
        JsonProperty renamed = type.getField(name).getAnnotation(JsonProperty.class);
        values.add(renamed != null && !renamed.value().isEmpty() ? renamed.value() : name);
      } catch (NoSuchFieldException e) {
        throw new IllegalStateException(e);
      }
    }
    return values;
  }

  private static JsonNode defaultValue(SchemaNode.Type type, String text) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    return switch (type) {
      case STRING -> json.textNode(text);
      case INTEGER -> json.numberNode(Integer.parseInt(text));
      case NUMBER -> json.numberNode(Double.parseDouble(text));
      case BOOLEAN -> json.booleanNode(Boolean.parseBoolean(text));
      default -> throw new IllegalStateException("no default for an " + type + " property: " + text);
    };
  }

  private static <A extends Annotation> A find(Method getter, Field field, Class<A> annotation) {
    A onField = field == null ? null : field.getAnnotation(annotation);
    return onField != null ? onField : getter == null ? null : getter.getAnnotation(annotation);
  }

  private static boolean has(Method getter, Field field, Class<? extends Annotation> annotation) {
    return find(getter, field, annotation) != null;
  }

  private static Method getter(Class<?> type, String fieldName) {
    String suffix = fieldName.substring(0, 1).toUpperCase(Locale.ROOT) + fieldName.substring(1);
    for (String prefix : List.of("get", "is")) {
      try {
        return type.getMethod(prefix + suffix);
      } catch (NoSuchMethodException e) {
        // try the next prefix
      }
    }
    return null;
  }

  private static Method method(Class<?> type, String name) {
    try {
      return type.getMethod(name);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(type.getName() + " has no " + name + "()", e);
    }
  }

  /** The {@code index}th type argument of {@code CustomResource<S, T>} in {@code type}'s superclass. */
  private static Class<?> typeArgument(Class<?> type, int index) {
    Type superType = type.getGenericSuperclass();
    if (superType instanceof ParameterizedType p && p.getActualTypeArguments()[index] instanceof Class<?> c) {
      return c;
    }
    throw new IllegalStateException(type.getName() + " does not extend CustomResource<Spec, Status> directly");
  }

  private static String where(Method getter, Field field) {
    return field != null ? field.getDeclaringClass().getSimpleName() + "." + field.getName()
        : getter != null ? getter.getDeclaringClass().getSimpleName() + "." + getter.getName() + "()" : "?";
  }
}
