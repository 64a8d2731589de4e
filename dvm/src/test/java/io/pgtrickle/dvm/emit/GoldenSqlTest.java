package io.pgtrickle.dvm.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgtrickle.dvm.catalog.Catalog;
import io.pgtrickle.dvm.catalog.InMemoryCatalog;
import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.Planner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The emitted SQL as reviewed files: {@code src/test/resources/golden/<name>.sql}. After an
 * intended change, regenerate with {@code mvn -pl dvm test -Dtest=GoldenSqlTest
 * -Dgolden.update=true} and review the diff.
 */
class GoldenSqlTest {
  static final Catalog CATALOG = InMemoryCatalog.builder()
      .table("public", "src", 16384, "id bigint primary key, grp integer not null, "
          + "val numeric not null, flag boolean not null, txt text not null")
      .table("public", "dim", 16385, "grp integer primary key, name text not null, "
          + "region text not null")
      .table("public", "nk", 16386, "a integer, b text")
      .build();

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "scan       | SELECT id, grp, val, txt FROM src",
      "filter     | SELECT id, val FROM src WHERE flag",
      "aggregate  | SELECT grp, count(*) AS n, sum(val) AS total FROM src GROUP BY grp",
      "join       | SELECT s.id, s.val, d.name FROM src s JOIN dim d ON d.grp = s.grp",
      "join_agg   | SELECT d.region, count(*) AS n, sum(s.val) AS total FROM src s JOIN dim d ON d.grp = s.grp GROUP BY d.region",
      "left_join  | SELECT s.id, d.name FROM src s LEFT JOIN dim d ON d.grp = s.grp",
      "min_max_having | SELECT grp, min(val) AS lo, max(val) AS hi FROM src GROUP BY grp HAVING count(*) > 1",
      "string_agg | SELECT grp, string_agg(txt, ',' ORDER BY txt) AS s FROM src GROUP BY grp",
      "no_pk      | SELECT a, b FROM nk",
      "union_all  | SELECT id AS k FROM src UNION ALL SELECT grp FROM dim",
  })
  void emittedSqlMatchesGoldenFile(String name, String query) throws Exception {
    Plan plan = Planner.plan(query, CATALOG);
    StringBuilder sb = new StringBuilder();
    sb.append("-- query: ").append(query).append('\n');
    sb.append("-- mode: ").append(plan.mode()).append(plan.reasons().isEmpty() ? ""
        : " " + plan.reasons()).append('\n');
    sb.append("-- columns: ").append(plan.columns()).append('\n');
    sb.append("-- sources: ").append(plan.sources()).append("\n\n");
    sb.append("-- storage DDL\n");
    for (String s : plan.storageDdl("\"public\".\"st\"")) {
      sb.append(s).append(";\n\n");
    }
    sb.append("-- refresh\n");
    for (String s : plan.refreshSql("\"public\".\"st\"", "$1")) {
      sb.append(s).append(";\n");
    }
    Path file = Path.of("src/test/resources/golden", name + ".sql");
    String actual = sb.toString();
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual,
        "emitted SQL differs from " + file + " (regenerate with -Dgolden.update=true)");
  }
}
