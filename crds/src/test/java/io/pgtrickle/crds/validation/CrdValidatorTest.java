package io.pgtrickle.crds.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.crds.v1alpha1.StreamTableSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * StreamTables as users write them, checked by the Java validator: each bad shape gets the API server's errors
 * (the expected strings are what kubectl printed for the same objects against kube-apiserver 1.34), good ones none.
 */
class CrdValidatorTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String NAME_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case "
      + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
      + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
      + "[a-z0-9])?)*')";
  private static final String TABLE_PATTERN = "spec.table in body should match "
      + "'^[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?$'";
  private static final String DERIVED_TABLE = "spec.table: Invalid value: \"object\": without spec.table the storage "
      + "table is named after metadata.name, which must then start with a letter and have at most 63 characters "
      + "(PostgreSQL's limit for a table name); set spec.table or choose a shorter name";
  private static final String SYSTEM_SCHEMA = "spec.table: Invalid value: \"string\": table must not be in a system "
      + "schema (pg_catalog, pg_toast or another pg_* schema, information_schema) nor in pg-trickle's own "
      + "(pgtrickle, pgtrickle_changes); use a schema of your own, such as analytics.my_table";
  private static final String NOT_CHECKED = "<nil>: Invalid value: null: some validation rules were not checked "
      + "because the object was invalid; correct the existing errors to complete validation";

  static ObjectNode streamTable(String name) {
    ObjectNode st = YAML.createObjectNode().put("apiVersion", "pgtrickle.io/v1alpha1").put("kind", "StreamTable");
    st.putObject("metadata").put("name", name);
    st.putObject("spec").put("query", "SELECT 1");
    return st;
  }

  static ObjectNode withSpec(String field, String value) {
    ObjectNode st = streamTable("orders");
    ((ObjectNode) st.get("spec")).put(field, value);
    return st;
  }

  static List<String> errors(JsonNode resource) {
    String kind = resource.path("kind").asText();
    return CrdValidator.forKind(kind).orElseThrow().validate(resource).stream().map(FieldError::toString).toList();
  }

  @Test
  void aPlainStreamTableIsValid() {
    assertEquals(List.of(), errors(streamTable("order-totals")));
    assertEquals(List.of(), errors(withSpec("table", "analytics.order_totals")));
  }

  @Test
  void theExamplesAreValid() throws IOException {
    Path examples = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolveSibling("examples");
    try (Stream<Path> files = Files.list(examples)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        assertEquals(List.of(), errors(YAML.readTree(f.toFile())), f.toString());
      }
    }
  }

  @Test
  void anUppercaseNameIsRefusedLikeTheApiServerDoes() {
    assertEquals(List.of("metadata.name: Invalid value: \"Orders\": " + NAME_MESSAGE, DERIVED_TABLE),
        errors(streamTable("Orders")));
  }

  @Test
  void aNameOver253CharactersIsRefused() {
    String name = "a".repeat(300);
    ObjectNode st = streamTable(name);
    ((ObjectNode) st.get("spec")).put("table", "t");
    assertEquals(List.of("metadata.name: Invalid value: \"" + name + "\": must be no more than 253 characters"),
        errors(st));
  }

  @Test
  void aNameOver63CharactersNeedsAnExplicitTable() {
    assertEquals(List.of(DERIVED_TABLE), errors(streamTable("a".repeat(70))));
    assertEquals(List.of(DERIVED_TABLE), errors(streamTable("1st-orders")));
    assertEquals(List.of(), errors(streamTable("a".repeat(63))));
    ObjectNode named = streamTable("a".repeat(70));
    ((ObjectNode) named.get("spec")).put("table", "orders");
    assertEquals(List.of(), errors(named));
  }

  @Test
  void aMissingNameIsRequired() {
    ObjectNode st = streamTable("x");
    ((ObjectNode) st.get("metadata")).remove("name");
    assertEquals(List.of("metadata.name: Required value: name or generateName is required", NOT_CHECKED),
        errors(st));
  }

  @Test
  void anInvalidNamespaceIsRefused() {
    ObjectNode st = streamTable("orders");
    ((ObjectNode) st.get("metadata")).put("namespace", "Team_A");
    assertEquals(1, errors(st).size());
    assertTrue(errors(st).get(0).startsWith("metadata.namespace: Invalid value: \"Team_A\": a lowercase RFC 1123 "
        + "label must consist of"), errors(st).toString());
    ((ObjectNode) st.get("metadata")).put("namespace", "team.a");
    assertEquals(List.of("metadata.namespace: Invalid value: \"team.a\": must not contain dots"), errors(st));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Orders", "ordérs", "\"orders\"", "public.Orders", "my-table", "a.b.c", "1orders", ""})
  void aTableThatIsNotALowerCaseUnquotedIdentifierIsRefused(String table) {
    assertEquals(List.of("spec.table: Invalid value: " + GoText.quote(table) + ": " + TABLE_PATTERN),
        errors(withSpec("table", table)));
  }

  @Test
  void aTablePartOver63CharactersIsRefusedBeforePostgresqlWouldTruncateIt() {
    String seventy = "t".repeat(70);
    assertEquals(List.of("spec.table: Invalid value: \"" + seventy + "\": " + TABLE_PATTERN),
        errors(withSpec("table", seventy)));
    assertEquals(1, errors(withSpec("table", "s".repeat(64) + ".t")).size());
    assertEquals(List.of(), errors(withSpec("table", "s".repeat(63) + "." + "t".repeat(63))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pg_catalog.pg_class", "information_schema.tables", "pg_toast.t", "pg_temp_3.t",
      "pg_anything.t", "pgtrickle.stream_tables", "pgtrickle_changes.mine"})
  void aTableInASystemSchemaIsRefused(String table) {
    assertEquals(List.of(SYSTEM_SCHEMA), errors(withSpec("table", table)));
  }

  @Test
  void anUpperCaseSystemSchemaIsNamedAsSuchToo() {
    assertEquals(List.of("spec.table: Invalid value: \"PG_CATALOG.pg_class\": " + TABLE_PATTERN, SYSTEM_SCHEMA),
        errors(withSpec("table", "PG_CATALOG.pg_class")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pg_class", "public.pg_class", "pgtrickle_data.t", "my_pgtrickle.t", "analytics.pg_t"})
  void tablesMerelyResemblingSystemOnesAreAccepted(String table) {
    assertEquals(List.of(), errors(withSpec("table", table)));
  }

  @Test
  void aQueryOverTheCrdLimitIsTooLong() {
    assertEquals(List.of("spec.query: Too long: may not be more than 65536 bytes", NOT_CHECKED),
        errors(withSpec("query", "SELECT " + "x".repeat(65_530))));
    assertEquals(List.of(), errors(withSpec("query", "SELECT " + "x".repeat(65_529))));
    // The limit counts characters, as the API server does, not UTF-8 bytes.
    assertEquals(List.of(), errors(withSpec("query", "SELECT '" + "é".repeat(65_520) + "'")));
  }

  @Test
  void anEmptyOrBlankQueryIsRefused() {
    assertEquals(List.of("spec.query: Invalid value: \"\": spec.query in body should be at least 1 chars long",
        "spec.query: Invalid value: \"string\": query must not be empty"), errors(withSpec("query", "")));
    assertEquals(List.of("spec.query: Invalid value: \"string\": query must not be empty"),
        errors(withSpec("query", " \n\t")));
  }

  @Test
  void aMissingQueryOrSpecIsRequired() {
    ObjectNode st = streamTable("orders");
    ((ObjectNode) st.get("spec")).remove("query");
    assertEquals(List.of("spec.query: Required value", NOT_CHECKED), errors(st));
    st.remove("spec");
    assertEquals(List.of("spec: Required value", NOT_CHECKED), errors(st));
    st.putNull("spec");
    assertEquals(List.of("spec: Required value", NOT_CHECKED), errors(st), "null is absent");
  }

  @Test
  void anEmptyScheduleIsRefusedWhileAnAbsentOneTakesTheDefault() {
    String message = "spec.schedule: Invalid value: \"string\": schedule must be a duration such as 500ms, 30s, 5m, "
        + "1h30m or 1d, a 5-field cron expression such as '*/5 * * * *', or one of @hourly, @daily, @weekly, "
        + "@monthly, @yearly";
    assertEquals(List.of(message), errors(withSpec("schedule", "")));
    assertEquals(List.of(message), errors(withSpec("schedule", "5 minutes")));
    ObjectNode nullSchedule = streamTable("orders");
    ((ObjectNode) nullSchedule.get("spec")).putNull("schedule");
    assertEquals(List.of(), errors(nullSchedule));
    assertEquals(List.of(), errors(withSpec("schedule", "*/5 * * * *")));
  }

  @Test
  void aValueOfTheWrongTypeIsRefusedAndStopsTheCelRules() {
    ObjectNode st = streamTable("orders");
    ((ObjectNode) st.get("spec")).put("schedule", 5).put("query", "");
    assertEquals(List.of("spec.query: Invalid value: \"\": spec.query in body should be at least 1 chars long",
        "spec.schedule: Invalid value: \"integer\": spec.schedule in body must be of type string: \"integer\"",
        NOT_CHECKED), errors(st));
  }

  @Test
  void aRefreshModeOutsideTheEnumIsUnsupported() {
    assertEquals(List.of("spec.refreshMode: Unsupported value: \"SOMETIMES\": supported values: \"AUTO\", "
        + "\"DIFFERENTIAL\", \"FULL\", \"IMMEDIATE\"", NOT_CHECKED), errors(withSpec("refreshMode", "SOMETIMES")));
  }

  @Test
  void unknownFieldsAreReportedAloneAndSorted() {
    ObjectNode st = withSpec("table", "Bad");
    ((ObjectNode) st.get("spec")).put("foo", 1).put("bar", 2);
    ((ObjectNode) st.get("metadata")).put("nmespace", "x");
    assertEquals(List.of("unknown field \"metadata.nmespace\"", "unknown field \"spec.bar\"",
        "unknown field \"spec.foo\""), errors(st));
  }

  @Test
  void aTargetNeedsExactlyOneWayToTheDatabase() {
    String message = "spec.target: Invalid value: \"object\": exactly one of cluster or connectionSecretRef must "
        + "be set";
    ObjectNode st = streamTable("orders");
    ObjectNode target = ((ObjectNode) st.get("spec")).putObject("target");
    assertEquals(List.of(message), errors(st));
    target.putObject("cluster").put("name", "pg");
    assertEquals(List.of(), errors(st));
    target.putObject("connectionSecretRef").put("name", "pg-app");
    assertEquals(List.of(message), errors(st));
    target.remove("connectionSecretRef");
    ((ObjectNode) target.get("cluster")).put("name", "PG");
    assertEquals(1, errors(st).size());
    assertTrue(errors(st).get(0).startsWith("spec.target.cluster.name: Invalid value: \"PG\": spec.target.cluster"
        + ".name in body should match"), errors(st).toString());
  }

  @Test
  void everyProblemOfAnObjectIsReportedAtOnce() {
    ObjectNode st = streamTable("Orders");
    ((ObjectNode) st.get("spec")).put("table", "pg_catalog.pg_class").put("schedule", "").put("query", " ");
    assertEquals(List.of("metadata.name: Invalid value: \"Orders\": " + NAME_MESSAGE, SYSTEM_SCHEMA,
        "spec.query: Invalid value: \"string\": query must not be empty",
        "spec.schedule: Invalid value: \"string\": schedule must be a duration such as 500ms, 30s, 5m, 1h30m or 1d,"
            + " a 5-field cron expression such as '*/5 * * * *', or one of @hourly, @daily, @weekly, @monthly,"
            + " @yearly"), errors(st));
  }

  @Test
  void aJavaObjectIsCheckedLikeItsYaml() {
    StreamTable st = new StreamTable();
    st.getMetadata().setName("orders");
    st.setSpec(new StreamTableSpec());
    st.getSpec().setQuery("SELECT 1");
    st.getSpec().setTable("pg_catalog.t");
    assertEquals(List.of(SYSTEM_SCHEMA),
        CrdValidator.STREAM_TABLE.validate(st).stream().map(FieldError::toString).toList());
  }

  @Test
  void theSkippedRulesNoteReadsPlainlyForPeople() {
    FieldError note = CrdValidator.STREAM_TABLE.validate(withSpec("refreshMode", "X")).get(1);
    assertEquals("some validation rules were not checked because the object was invalid; correct the existing "
        + "errors to complete validation", note.message());
  }
}
