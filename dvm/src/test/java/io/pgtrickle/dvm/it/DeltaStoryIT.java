package io.pgtrickle.dvm.it;

import static io.pgtrickle.dvm.it.PgHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.Planner;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Incremental behaviour as a story: each step is some DML, then the consolidated change the
 * next refresh applies, as Z-set rows ({@code weight (user columns)}, sorted by content), then
 * the refresh.
 */
class DeltaStoryIT {
  private static int schemas;

  @Test
  void joinWithDeletesOnBothSidesInOneBatch() throws Exception {
    story("SELECT s.id, s.val, d.name FROM src s JOIN dim d ON d.grp = s.grp",
        """
        INSERT INTO dim VALUES (1, 'one'), (2, 'two');
        INSERT INTO src VALUES (10, 1, 5.00), (11, 2, 6.00), (12, 2, 7.00)
        """, """
        +1 (10, 5.00, one)
        +1 (11, 6.00, two)
        +1 (12, 7.00, two)
        """,
        // a dimension rename reaches every joined row; a key update moves a row
        """
        UPDATE dim SET name = 'uno' WHERE grp = 1;
        UPDATE src SET id = 20 WHERE id = 12
        """, """
        -1 (10, 5.00, one)
        +1 (10, 5.00, uno)
        -1 (12, 7.00, two)
        +1 (20, 7.00, two)
        """,
        // both sides of one joined row deleted in the same batch: removed once, not twice
        """
        DELETE FROM src WHERE id = 11;
        DELETE FROM dim WHERE grp = 2
        """, """
        -1 (11, 6.00, two)
        -1 (20, 7.00, two)
        """,
        // inserted and deleted within the batch: nothing to apply
        """
        INSERT INTO src VALUES (30, 1, 1.00);
        DELETE FROM src WHERE id = 30
        """, "");
  }

  @Test
  void leftJoinPaddingComesAndGoes() throws Exception {
    story("SELECT s.id, d.name FROM src s LEFT JOIN dim d ON d.grp = s.grp",
        """
        INSERT INTO src VALUES (10, 1, 5.00)
        """, """
        +1 (10, null)
        """,
        """
        INSERT INTO dim VALUES (1, 'one')
        """, """
        -1 (10, null)
        +1 (10, one)
        """,
        """
        UPDATE src SET grp = NULL WHERE id = 10
        """, """
        +1 (10, null)
        -1 (10, one)
        """);
  }

  /** Pairs of (DML, expected change) after the query. */
  static void story(String query, String... steps) throws Exception {
    try (Connection c = PgHarness.connect()) {
      String schema = "story" + (++schemas);
      exec(c, "CREATE SCHEMA " + schema);
      exec(c, "SET search_path = " + schema);
      exec(c, "CREATE TABLE src (id bigint PRIMARY KEY, grp int, val numeric(10,2))");
      exec(c, "CREATE TABLE dim (grp int PRIMARY KEY, name text)");
      PgHarness.installCapture(c, schema, "src");
      PgHarness.installCapture(c, schema, "dim");
      Plan plan = Planner.plan(query, PgHarness.catalog(c, schema));
      assertTrue(plan.isDifferential(), plan.reasons()::toString);
      PgHarness.StreamTable st = new PgHarness.StreamTable(c, plan, schema + ".st");
      st.install();
      for (int i = 0; i < steps.length; i += 2) {
        c.setAutoCommit(false);
        for (String dml : steps[i].split(";")) {
          if (!dml.isBlank()) {
            exec(c, dml);
          }
        }
        c.commit();
        c.setAutoCommit(true);
        assertEquals(steps[i + 1].strip(), change(c, st, plan.columns().size()),
            "change after: " + steps[i].strip());
        st.refresh();
        assertEquals(0, st.differences());
      }
    }
  }

  private static String change(Connection c, PgHarness.StreamTable st, int userColumns)
      throws Exception {
    c.setAutoCommit(false);
    exec(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    List<String> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(st.plan.deltaSelectSql(st.table, "'" + st.frontier + "'"))) {
      while (rs.next()) {
        List<String> vals = new ArrayList<>();
        for (int i = 1; i <= userColumns; i++) {
          vals.add(String.valueOf(rs.getString(i)));
        }
        long w = rs.getLong("__pgt_w");
        rows.add((w > 0 ? "+" : "") + w + " (" + String.join(", ", vals) + ")");
      }
    }
    c.rollback();
    c.setAutoCommit(true);
    rows.sort((a, b) -> {
      int k = a.substring(a.indexOf('(')).compareTo(b.substring(b.indexOf('(')));
      return k != 0 ? k : a.compareTo(b);
    });
    return String.join("\n", rows);
  }
}
