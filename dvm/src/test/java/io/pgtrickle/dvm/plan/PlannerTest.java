package io.pgtrickle.dvm.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgtrickle.dvm.catalog.Catalog;
import io.pgtrickle.dvm.catalog.InMemoryCatalog;
import io.pgtrickle.dvm.parse.QueryParser;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlannerTest {
  static final Catalog CATALOG = InMemoryCatalog.builder()
      .table("public", "src", 16384, "id bigint primary key, grp integer not null, "
          + "val numeric not null, flag boolean not null, txt text not null")
      .table("public", "dim", 16385, "grp integer primary key, name text not null, "
          + "region text not null")
      .table("app", "Events", 16390, "id bigint primary key, ts timestamp with time zone, "
          + "data jsonb, \"Mixed\" text")
      .searchPath(List.of("public", "app"))
      .build();

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "SELECT DISTINCT ON (grp) grp, val FROM src ORDER BY grp, val | DISTINCT ON",
      "SELECT id FROM src WHERE txt > now()::text                 | now()",
      "SELECT id, random() AS r FROM src                           | random()",
      "SELECT id, age(ts) AS a FROM \"Events\"                      | age()",
      "SELECT id FROM src ORDER BY id LIMIT 10                     | LIMIT",
      "SELECT id, row_number() OVER (ORDER BY id) AS rn FROM src    | window functions",
      "SELECT grp, count(*) AS n FROM src GROUP BY ROLLUP (grp)     | ROLLUP",
      "SELECT id FROM src INTERSECT SELECT grp FROM dim             | INTERSECT",
      "SELECT 1 AS one                                              | reads no table",
      "SELECT id FROM src WHERE txt SIMILAR TO 'a' ESCAPE '!' AND id !!! 3 | cannot parse",
      "SELECT id AS __pgt_x FROM src                                | reserved prefix",
      "SELECT id FROM src WHERE txt::date < 'today'::date           | 'today' as a date or time",
  })
  void fullWithAReasonAUserCanActOn(String query, String reasonContains) {
    Plan plan = Planner.plan(query, CATALOG);
    assertEquals(Mode.FULL, plan.mode());
    assertTrue(plan.reasons().stream().anyMatch(r -> r.contains(reasonContains)),
        () -> "reasons " + plan.reasons() + " should mention " + reasonContains);
    assertEquals(List.of("DELETE FROM \"s\".\"t\"", "INSERT INTO \"s\".\"t\"\n"
        + plan.storageSelect()), plan.refreshSql("\"s\".\"t\"", "$1"));
  }

  @Test
  void aFunctionOfTheDatabaseIsMaintainedOnlyIfImmutable() {
    String query = "SELECT id, norm(grp) AS n FROM src";
    assertTrue(Planner.plan(query, CATALOG).isDifferential(), "IMMUTABLE (or a built-in)");
    Catalog stable = InMemoryCatalog.builder()
        .table("public", "src", 16384, "id bigint primary key, grp integer not null")
        .changingUserFunctions("norm").build();
    Plan plan = Planner.plan(query, stable);
    assertEquals(Mode.FULL, plan.mode());
    assertTrue(plan.reasons().get(0).startsWith("norm() is not IMMUTABLE"), plan.reasons()::toString);
    assertTrue(plan.sources().isEmpty(), "a FULL refresh recomputes every time: norm() may read other tables");
  }

  @Test
  void aBuiltInNameTheDatabaseAlsoHasAsAStableFunctionIsNotTrusted() {
    String query = "SELECT id, year(ts) AS y FROM \"Events\"";
    assertTrue(Planner.plan(query, CATALOG).isDifferential());
    Catalog shadowed = InMemoryCatalog.builder()
        .table("app", "Events", 16390, "id bigint primary key, ts timestamp with time zone")
        .searchPath(List.of("app")).changingUserFunctions("year").build();
    Plan plan = Planner.plan(query, shadowed);
    assertEquals(Mode.FULL, plan.mode());
    assertTrue(plan.reasons().get(0).startsWith("year() is also a function of this database"), plan.reasons()::toString);
    assertTrue(plan.sources().isEmpty());
  }

  @Test
  void aFullQueryOverTablesOnlyListsThemToCapture() {
    Plan ranked = Planner.plan("SELECT id, rank() OVER (PARTITION BY grp ORDER BY val) AS r FROM src",
        CATALOG);
    assertEquals(Mode.FULL, ranked.mode());
    assertEquals(List.of(new SourceUse(16384, "public", "src", List.of("id", "grp", "val"))), ranked.sources(),
        "the columns it reads: a type change of one of them is refused, as for DIFFERENTIAL");
    assertTrue(Planner.plan("SELECT id FROM src ORDER BY random() LIMIT 3", CATALOG).sources().isEmpty());
  }

  @Test
  void notASelectIsRejected() {
    assertThrows(QueryParser.NotAQueryException.class,
        () -> Planner.plan("DELETE FROM src", CATALOG));
    assertThrows(QueryParser.NotAQueryException.class,
        () -> Planner.plan("SELECT 1 FROM src; SELECT 2 FROM src", CATALOG));
    assertThrows(QueryParser.NotAQueryException.class,
        () -> Planner.plan("SELECT s.grp, d.grp FROM src s JOIN dim d ON d.grp = s.grp",
            CATALOG));
    assertTrue(Planner.plan("SELECT id FROM src;", CATALOG).isDifferential());
  }

  @Test
  void columnsAreNamedAndTypedAsPostgresDoes() {
    Plan plan = Planner.plan("SELECT grp, count(*), sum(val), avg(grp), max(txt), val::int, "
        + "grp + 1, CASE WHEN flag THEN 1 END FROM src GROUP BY grp, val, flag", CATALOG);
    assertEquals(List.of(
        new OutputColumn("grp", "integer"),
        new OutputColumn("count", "bigint"),
        new OutputColumn("sum", "numeric"),
        new OutputColumn("avg", "numeric"),
        new OutputColumn("max", "text"),
        new OutputColumn("val", "integer"),
        new OutputColumn("?column?", "integer"),
        new OutputColumn("case", "integer")), plan.columns());
  }

  @Test
  void namesResolveCaseSensitivelyAlongTheSearchPath() {
    Plan plan = Planner.plan("SELECT id, data ->> 'k' AS k, \"Mixed\" FROM \"Events\"",
        CATALOG);
    assertTrue(plan.isDifferential(), plan.reasons()::toString);
    assertEquals(List.of(new SourceUse(16390, "app", "Events", List.of("id", "data", "Mixed"))),
        plan.sources());
    assertEquals(new OutputColumn("Mixed", "text"), plan.columns().get(2));
    assertEquals(Mode.FULL, Planner.plan("SELECT id FROM events", CATALOG).mode(),
        "unquoted events folds to lower case and does not find \"Events\"");
  }

  @Test
  void sourcesListOnlyTheColumnsRead() {
    Plan plan = Planner.plan("SELECT d.region, sum(s.val) AS total FROM src s JOIN dim d "
        + "ON d.grp = s.grp WHERE s.flag GROUP BY d.region", CATALOG);
    assertEquals(List.of(
        new SourceUse(16384, "public", "src", List.of("id", "grp", "val", "flag")),
        new SourceUse(16385, "public", "dim", List.of("grp", "region"))), plan.sources());
  }

  @Test
  void hiddenColumnsFollowUserColumns() {
    // avg of an integer: its state is a sum and a count (of an unconstrained numeric, the group is recomputed)
    Plan plan = Planner.plan("SELECT flag, avg(grp) AS a FROM src GROUP BY flag", CATALOG);
    assertEquals(List.of("__pgt_row_id", "__pgt_count", "__pgt_a0_sum", "__pgt_a0_nn"),
        plan.hiddenColumns().stream().map(OutputColumn::name).toList());
    assertFalse(plan.counted());
  }

  @Test
  void frontierAppearsOnceAndTableIsSubstituted() {
    Plan plan = Planner.plan("SELECT s.id, d.name FROM src s JOIN dim d ON d.grp = s.grp",
        CATALOG);
    String sql = plan.refreshSql("\"x\".\"st\"", "$1").get(0);
    assertEquals(1, sql.split("\\$1", -1).length - 1);
    assertTrue(sql.contains("MERGE INTO \"x\".\"st\""));
    assertFalse(sql.contains("\u0000"));
    assertTrue(plan.storageDdl("\"x\".\"st\"").get(0).contains("fillfactor = 90"));
  }

  @Test
  void ruleStepsCanBeSkipped() {
    String query = "SELECT id FROM src ORDER BY id";
    assertTrue(Planner.plan(query, CATALOG).isDifferential());
    assertEquals(Mode.FULL, Planner.plan(query, CATALOG, java.util.Set.of("drop-order-by"))
        .mode());
  }
}
