package io.pgtrickle.dvm.it;

import static io.pgtrickle.dvm.it.PgHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.Planner;
import io.pgtrickle.dvm.plan.SourceUse;
import java.sql.Connection;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * IMMEDIATE mode: statement-level AFTER triggers run {@link Plan#immediateSql} over their
 * transition tables inside the writing transaction; the stream table equals its query after
 * every transaction.
 */
class ImmediateModeIT {
  private static int schemas;

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT s.id, s.val, d.name FROM src s JOIN dim d ON d.grp = s.grp",
      "SELECT d.region, count(*) AS n, sum(s.val) AS total FROM src s JOIN dim d "
          + "ON d.grp = s.grp GROUP BY d.region",
      "SELECT s.id, d.name FROM src s LEFT JOIN dim d ON d.grp = s.grp",
      "SELECT grp, min(val) AS lo, string_agg(txt, ',' ORDER BY txt) AS s FROM src GROUP BY grp",
      "SELECT a.id AS a_id, b.id AS b_id FROM src a JOIN src b ON a.grp = b.grp AND a.id < b.id",
      "SELECT a, b FROM nk",
  })
  void maintainedInsideTheWritingTransaction(String query) throws Exception {
    try (Connection c = PgHarness.connect()) {
      String schema = "imm" + (++schemas);
      exec(c, "CREATE SCHEMA " + schema);
      exec(c, "SET search_path = " + schema);
      DifferentialIT.createSources(c, schema, false);
      Plan plan = Planner.plan(query, PgHarness.catalog(c, schema));
      assertTrue(plan.isDifferential(), plan.reasons()::toString);
      PgHarness.StreamTable st = new PgHarness.StreamTable(c, plan, schema + ".st");
      st.install();
      String table = schema + ".st";
      for (SourceUse src : plan.sources()) {
        String t = schema + "." + src.table();
        String[][] ops = {
            {"INSERT", null, "new_rows", "REFERENCING NEW TABLE AS new_rows"},
            {"UPDATE", "old_rows", "new_rows",
                "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"},
            {"DELETE", "old_rows", null, "REFERENCING OLD TABLE AS old_rows"}};
        for (String[] op : ops) {
          String fn = schema + ".imm_" + src.oid() + "_" + op[0].toLowerCase();
          String sql = plan.immediateSql(table, src.oid(), op[1], op[2]);
          exec(c, "CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
              + "BEGIN\n  EXECUTE $sql$" + sql + "$sql$;\n  RETURN NULL;\nEND $fn$");
          exec(c, "CREATE TRIGGER imm_" + op[0].toLowerCase() + " AFTER " + op[0] + " ON " + t
              + " " + op[3] + " FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "()");
        }
      }
      Random r = new Random(query.hashCode());
      long nextId = 1000;
      for (int round = 0; round < 10; round++) {
        c.setAutoCommit(false);
        nextId = DifferentialIT.randomDml(c, r, nextId);
        c.commit();
        c.setAutoCommit(true);
        assertEquals(0, st.differences(), "after transaction " + round);
      }
    }
  }
}
