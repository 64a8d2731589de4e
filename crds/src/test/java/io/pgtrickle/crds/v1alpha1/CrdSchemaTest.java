package io.pgtrickle.crds.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Checks the generated CRDs: names, subresources, printer columns, defaults, validation and descriptions. */
class CrdSchemaTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CustomResourceDefinition streamTables = CrdFiles.generated(CrdFiles.STREAM_TABLES);
  private final CustomResourceDefinition refreshPolicies = CrdFiles.generated(CrdFiles.REFRESH_POLICIES);

  @Test
  void namesAndScope() {
    assertEquals("streamtables.pgtrickle.io", streamTables.getMetadata().getName());
    assertEquals("pgtrickle.io", streamTables.getSpec().getGroup());
    assertEquals("Namespaced", streamTables.getSpec().getScope());
    assertEquals("StreamTable", streamTables.getSpec().getNames().getKind());
    assertEquals("streamtables", streamTables.getSpec().getNames().getPlural());
    assertEquals(List.of("st"), streamTables.getSpec().getNames().getShortNames());

    assertEquals("refreshpolicies.pgtrickle.io", refreshPolicies.getMetadata().getName());
    assertEquals("Namespaced", refreshPolicies.getSpec().getScope());
    assertEquals("RefreshPolicy", refreshPolicies.getSpec().getNames().getKind());
    assertEquals("refreshpolicies", refreshPolicies.getSpec().getNames().getPlural());
    assertEquals(List.of("rp"), refreshPolicies.getSpec().getNames().getShortNames());

    for (CustomResourceDefinition crd : List.of(streamTables, refreshPolicies)) {
      CustomResourceDefinitionVersion version = CrdFiles.onlyVersion(crd);
      assertEquals("v1alpha1", version.getName());
      assertTrue(version.getServed());
      assertTrue(version.getStorage());
      assertNotNull(version.getSubresources().getStatus(), "status subresource");
    }
  }

  @Test
  void streamTablePrinterColumnsInOrder() {
    List<CustomResourceColumnDefinition> columns = CrdFiles.onlyVersion(streamTables).getAdditionalPrinterColumns();
    assertEquals(List.of("Table", "Mode", "Ready", "Reason", "Last Refresh", "Age"),
        columns.stream().map(CustomResourceColumnDefinition::getName).collect(Collectors.toList()));
    assertEquals(List.of(".status.table", ".status.effectiveRefreshMode",
        ".status.conditions[?(@.type==\"Ready\")].status", ".status.conditions[?(@.type==\"Ready\")].reason",
        ".status.lastRefresh.time", ".metadata.creationTimestamp"),
        columns.stream().map(CustomResourceColumnDefinition::getJsonPath).collect(Collectors.toList()));
    assertEquals(List.of("string", "string", "string", "string", "date", "date"),
        columns.stream().map(CustomResourceColumnDefinition::getType).collect(Collectors.toList()));
  }

  @Test
  void refreshPolicyPrinterColumnsInOrder() {
    assertEquals(List.of("Default Schedule", "Max Concurrent", "Ready", "Age"),
        CrdFiles.onlyVersion(refreshPolicies).getAdditionalPrinterColumns().stream()
            .map(CustomResourceColumnDefinition::getName).collect(Collectors.toList()));
  }

  @Test
  void streamTableDefaults() {
    assertEquals("\"AUTO\"", defaultOf(streamTables, "spec.refreshMode"));
    assertEquals("false", defaultOf(streamTables, "spec.suspend"));
    assertEquals("\"Delete\"", defaultOf(streamTables, "spec.reclaimPolicy"));
    assertEquals(List.of("AUTO", "DIFFERENTIAL", "FULL", "IMMEDIATE"),
        enumOf(streamTables, "spec.refreshMode"));
    assertEquals(List.of("Delete", "Retain"), enumOf(streamTables, "spec.reclaimPolicy"));
  }

  @Test
  void refreshPolicyDefaultsAndBounds() {
    assertEquals("0.15", defaultOf(refreshPolicies, "spec.differentialMaxChangeRatio"));
    assertEquals("true", defaultOf(refreshPolicies, "spec.learnFromHistory"));
    assertEquals("4", defaultOf(refreshPolicies, "spec.maxConcurrentRefreshes"));
    assertEquals("\"1s\"", defaultOf(refreshPolicies, "spec.minBackoff"));
    assertEquals("\"5m\"", defaultOf(refreshPolicies, "spec.maxBackoff"));
    assertEquals("10", defaultOf(refreshPolicies, "spec.maxConsecutiveErrors"));
    assertEquals("\"1m\"", defaultOf(refreshPolicies, "spec.defaultSchedule"));
    assertEquals("\"1s\"", defaultOf(refreshPolicies, "spec.minSchedule"));
    assertEquals("false", defaultOf(refreshPolicies, "spec.autoBackoff"));
    assertEquals("64", defaultOf(refreshPolicies, "spec.mergeWorkMemMb"));

    JSONSchemaProps ratio = CrdFiles.schema(refreshPolicies, "spec.differentialMaxChangeRatio");
    assertEquals(0.0, ratio.getMinimum());
    assertEquals(1.0, ratio.getMaximum());
    assertEquals(1.0, CrdFiles.schema(refreshPolicies, "spec.maxConcurrentRefreshes").getMinimum());
    assertEquals(1.0, CrdFiles.schema(refreshPolicies, "spec.maxConsecutiveErrors").getMinimum());
  }

  /**
   * Spec classes carry no client-side defaults: a new resource object must serialise to no spec at all, or every
   * server-side apply of it (JOSDK adds its finalizer that way) would force default values over the user's fields.
   * Defaults live in the schema (applied by the API server) and in the operator's StreamTableDefinition.
   */
  @Test
  void newResourcesCarryNoClientSideDefaults() {
    assertNull(new StreamTable().getSpec());
    assertNull(new RefreshPolicy().getSpec());
    assertEquals(0, JSON.valueToTree(new StreamTableSpec()).size());
    assertEquals(0, JSON.valueToTree(new RefreshPolicySpec()).size());
  }

  @Test
  void requiredFields() {
    assertEquals(List.of("spec"), CrdFiles.onlyVersion(streamTables).getSchema().getOpenAPIV3Schema().getRequired());
    assertEquals(List.of("query"), CrdFiles.schema(streamTables, "spec").getRequired());
    assertEquals(List.of("name"), CrdFiles.schema(streamTables, "spec.target.cluster").getRequired());
    assertEquals(List.of("name"), CrdFiles.schema(streamTables, "spec.target.connectionSecretRef").getRequired());
    assertEquals(List.of("name"), CrdFiles.schema(streamTables, "spec.refreshPolicyRef").getRequired());
    JSONSchemaProps query = CrdFiles.schema(streamTables, "spec.query");
    assertEquals(1L, query.getMinLength());
    assertEquals(65536L, query.getMaxLength());
    assertEquals(CrdPatterns.TABLE_NAME, CrdFiles.schema(streamTables, "spec.table").getPattern());
  }

  @Test
  void celRules() {
    assertEquals(List.of("has(self.table) == has(oldSelf.table)"), rules(streamTables, "spec"));
    assertEquals(List.of("self == oldSelf", CrdPatterns.TABLE_SCHEMA_RULE), rules(streamTables, "spec.table"));
    assertEquals(List.of("self.matches('\\\\S')"), rules(streamTables, "spec.query"));
    List<ValidationRule> root = CrdFiles.onlyVersion(streamTables).getSchema().getOpenAPIV3Schema()
        .getXKubernetesValidations();
    assertEquals(List.of(CrdPatterns.TABLE_FROM_NAME_RULE), root.stream().map(ValidationRule::getRule).toList());
    assertEquals(".spec.table", root.get(0).getFieldPath(), "reported where the fix goes");
    assertEquals(List.of(CrdPatterns.SCHEDULE_RULE), rules(streamTables, "spec.schedule"));
    assertEquals(List.of("has(self.cluster) != has(self.connectionSecretRef)"), rules(streamTables, "spec.target"));

    assertEquals(List.of(CrdPatterns.SCHEDULE_RULE), rules(refreshPolicies, "spec.defaultSchedule"));
    for (String duration : List.of("minBackoff", "maxBackoff", "minSchedule")) {
      assertEquals(List.of(CrdPatterns.DURATION_RULE), rules(refreshPolicies, "spec." + duration));
    }
    List<String> specRules = rules(refreshPolicies, "spec");
    assertEquals(1, specRules.size());
    assertTrue(specRules.get(0).contains("duration(self.minBackoff) <= duration(self.maxBackoff)"));

    for (CustomResourceDefinition crd : List.of(streamTables, refreshPolicies)) {
      forEachSchema(CrdFiles.onlyVersion(crd).getSchema().getOpenAPIV3Schema(), "", (path, props) -> {
        if (props.getXKubernetesValidations() != null) {
          for (ValidationRule rule : props.getXKubernetesValidations()) {
            assertNotNull(rule.getMessage(), "CEL rule without message at " + path);
          }
        }
      });
    }
  }

  /** Every field of ours shows a description in {@code kubectl explain}. */
  @Test
  void everyFieldHasADescription() {
    for (CustomResourceDefinition crd : List.of(streamTables, refreshPolicies)) {
      JSONSchemaProps root = CrdFiles.onlyVersion(crd).getSchema().getOpenAPIV3Schema();
      for (String top : List.of("spec", "status")) {
        forEachSchema(root.getProperties().get(top), top, (path, props) -> {
          if (!path.startsWith("status.conditions.")) { // items are Fabric8's Condition, documented upstream
            assertNotNull(props.getDescription(), crd.getMetadata().getName() + ": no description for " + path);
          }
        });
      }
    }
  }

  private interface SchemaVisitor {
    void visit(String path, JSONSchemaProps props);
  }

  private static void forEachSchema(JSONSchemaProps props, String path, SchemaVisitor visitor) {
    visitor.visit(path, props);
    if (props.getProperties() != null) {
      props.getProperties().forEach((name, child) ->
          forEachSchema(child, path.isEmpty() ? name : path + "." + name, visitor));
    }
    if (props.getItems() != null && props.getItems().getSchema() != null) {
      forEachSchema(props.getItems().getSchema(), path + ".items", visitor);
    }
  }

  private static String defaultOf(CustomResourceDefinition crd, String path) {
    JsonNode value = CrdFiles.schema(crd, path).getDefault();
    assertNotNull(value, "no default for " + path);
    return value.toString();
  }

  private static List<String> enumOf(CustomResourceDefinition crd, String path) {
    return CrdFiles.schema(crd, path).getEnum().stream().map(JsonNode::asText).collect(Collectors.toList());
  }

  private static List<String> rules(CustomResourceDefinition crd, String path) {
    List<ValidationRule> rules = CrdFiles.schema(crd, path).getXKubernetesValidations();
    assertNotNull(rules, "no x-kubernetes-validations at " + path);
    return rules.stream().map(ValidationRule::getRule).collect(Collectors.toList());
  }
}
