package io.pgtrickle.dvm.it;

import static io.pgtrickle.dvm.it.PgHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.Planner;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tier 2: for each query, install the stream table in a real PostgreSQL, apply random batches
 * of DML (several transactions per batch: inserts, updates of values, keys and group keys,
 * deletes on every table, NULLs and duplicates), refresh differentially, and require the
 * storage to equal the query's result as a multiset after every refresh.
 */
class DifferentialIT {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  @ParameterizedTest
  @ValueSource(strings = {
      // scan, filter, project
      "SELECT id, grp, val, txt FROM src",
      "SELECT id, val FROM src WHERE flag",
      "SELECT id, val * 2 AS v2, CASE WHEN val > 500 THEN 'hi' ELSE 'lo' END AS band, "
          + "upper(txt) AS t, grp::text AS g, coalesce(grp, -1) + 1 AS g1 FROM src WHERE val > 100",
      "SELECT txt FROM src",
      // inner joins
      "SELECT s.id, s.val, d.name FROM src s JOIN dim d ON d.grp = s.grp",
      "SELECT a.id AS a_id, b.id AS b_id FROM src a JOIN src b ON a.grp = b.grp AND a.id < b.id",
      "SELECT s.id, d.name, n.b FROM src s JOIN dim d ON d.grp = s.grp JOIN nk n ON n.a = s.grp",
      "SELECT s.id, d.grp AS dg FROM src s JOIN dim d ON s.val < d.grp * 10",
      // aggregates
      "SELECT grp, count(*) AS n, sum(val) AS total, avg(val) AS a FROM src GROUP BY grp",
      // integer and bigint sums (the weights are ±1: inserted minus deleted, no multiplication)
      "SELECT grp % 7 AS g, sum(id) AS s, sum(grp) AS sg, avg(grp) AS a FROM src GROUP BY grp % 7",
      "SELECT d.region, count(*) AS n, sum(s.val) AS total FROM src s JOIN dim d ON d.grp = s.grp "
          + "GROUP BY d.region",
      "SELECT count(*) AS n, sum(val) AS s, count(grp) AS g FROM src",
      // sources without primary key
      "SELECT a, b FROM nk",
      "SELECT a, count(*) AS n FROM nk GROUP BY a",
  })
  void storageEqualsQueryAfterEveryBatch(String query) throws Exception {
    run(query, 8);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // outer joins
      "SELECT s.id, d.name FROM src s LEFT JOIN dim d ON d.grp = s.grp",
      "SELECT s.id, d.grp AS dg, d.region FROM src s RIGHT JOIN dim d ON d.grp = s.grp",
      "SELECT s.id, s.val, d.grp AS dg FROM src s FULL JOIN dim d ON d.grp = s.grp",
      "SELECT s.id, n.b FROM src s LEFT JOIN nk n ON n.a = s.grp",
      "SELECT s.id, d.name FROM src s LEFT JOIN dim d ON d.grp = s.grp AND s.val > 300",
      // group-recompute and semi-algebraic aggregates
      "SELECT grp, min(val) AS lo, max(val) AS hi FROM src GROUP BY grp",
      "SELECT grp, string_agg(txt, ',' ORDER BY txt) AS s, count(DISTINCT flag) AS nd, "
          + "array_agg(id ORDER BY id) AS ids FROM src GROUP BY grp",
      "SELECT grp, bool_and(flag) AS all_f, bool_or(flag) AS any_f FROM src GROUP BY grp",
      "SELECT grp, count(*) AS n, sum(val) FILTER (WHERE flag) AS fs, "
          + "count(*) FILTER (WHERE val > 500) AS big FROM src GROUP BY grp HAVING count(*) > 3",
      "SELECT grp, sum(val) AS s FROM src GROUP BY grp HAVING sum(val) > 1000",
      "SELECT DISTINCT grp, flag FROM src",
      "SELECT DISTINCT a FROM nk",
      "SELECT min(val) AS lo, max(txt) AS hi FROM src",
      // set operations, sub-queries, CTEs
      "SELECT id, val FROM src WHERE flag UNION ALL SELECT grp, 0 FROM dim",
      "SELECT a AS x FROM nk UNION ALL SELECT grp FROM src",
      "SELECT grp FROM dim UNION SELECT grp FROM src",
      "WITH big AS (SELECT * FROM src WHERE val > 100) "
          + "SELECT b.id, d.region FROM big b JOIN dim d ON d.grp = b.grp",
      "SELECT x.grp, x.n FROM (SELECT grp, count(*) AS n FROM src GROUP BY grp) x WHERE x.n > 2",
      "SELECT r, count(*) AS n FROM (SELECT d.region AS r, s.id FROM src s "
          + "JOIN dim d ON d.grp = s.grp WHERE s.flag) t GROUP BY r",
  })
  void operatorsOfStepThree(String query) throws Exception {
    run(query, 8);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT d.name, x.n, x.total FROM dim d "
          + "JOIN (SELECT grp, count(*) AS n, sum(val) AS total FROM src GROUP BY grp) x "
          + "ON x.grp = d.grp",
      "SELECT id, val FROM src WHERE grp IN (SELECT grp FROM dim WHERE region = 'r1')",
      "SELECT id FROM src s WHERE EXISTS (SELECT 1 FROM nk WHERE nk.a = s.grp)",
      "SELECT id FROM src s WHERE NOT EXISTS (SELECT 1 FROM dim d WHERE d.grp = s.grp)",
      "SELECT grp FROM dim WHERE grp NOT IN (SELECT a FROM nk WHERE a IS NOT NULL)",
      "SELECT n, count(*) AS groups FROM (SELECT grp, count(*) AS n FROM src GROUP BY grp) x "
          + "GROUP BY n",
      "SELECT grp, n FROM (SELECT grp, count(*) AS n FROM src GROUP BY grp) x "
          + "UNION ALL SELECT a, count(*) FROM nk GROUP BY a",
      "SELECT s.id, m.hi FROM src s JOIN (SELECT grp, max(val) AS hi FROM src GROUP BY grp) m "
          + "ON m.grp = s.grp AND s.val = m.hi",
      "SELECT t.total, d.name FROM (SELECT sum(val) AS total FROM src) t CROSS JOIN dim d",
  })
  void aggregatesInsideTheQuery(String query) throws Exception {
    run(query, 8);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT id, nullif(grp, 3) AS g, greatest(val, 100) AS v, txt || '-' || id AS label, "
          + "round(val / 3, 1) AS r, grp BETWEEN 2 AND 5 AS mid FROM src "
          + "WHERE txt LIKE 't1%' OR txt ILIKE 'T2%' OR grp IN (4, 5)",
      "SELECT d.name, (SELECT max(val) FROM src) AS top FROM dim d",
      "WITH g AS (SELECT grp, sum(val) AS s FROM src GROUP BY grp) "
          + "SELECT a.grp, a.s, b.grp AS other FROM g a JOIN g b ON a.s > b.s",
      "SELECT s.grp, count(DISTINCT s.txt) AS nt, max(d.name) AS dn FROM src s "
          + "LEFT JOIN dim d ON d.grp = s.grp GROUP BY s.grp",
      "SELECT coalesce(d.region, 'none') AS region, count(s.id) AS n, avg(s.val) AS a "
          + "FROM dim d FULL JOIN src s ON s.grp = d.grp GROUP BY coalesce(d.region, 'none')",
  })
  void expressionsAndSubqueries(String query) throws Exception {
    run(query, 8);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT date_trunc('day', ts) AS day, count(*) AS n FROM ev GROUP BY 1",
      "SELECT id, data->>'k' AS k, (data->>'n')::int + 1 AS n1 FROM ev "
          + "WHERE data ? 'x' AND ts > timestamptz '2024-01-02' + interval '1 day'",
      "SELECT data->>'k' AS k, sum((data->>'n')::numeric) AS total, max(ts) AS last "
          + "FROM ev GROUP BY data->>'k'",
      "SELECT e.id, e.data -> 'n' AS n FROM ev e WHERE e.data @> '{\"k\": \"k1\"}'::jsonb",
      "SELECT id, ts::date AS d, extract(hour from ts) AS h FROM ev WHERE ts < now()::date + 1",
      "SELECT id, data::json AS j FROM ev",
      "SELECT e.id, e.data::json AS j, d.name FROM ev e JOIN dim d ON d.grp = e.id % 10",
  })
  void postgresSyntax(String query) throws Exception {
    if (query.contains("now()")) {
      try (Connection c = PgHarness.connect()) {
        exec(c, "SET search_path = public");
      }
      return; // now() is FULL, covered by PlannerTest
    }
    run(query, 6);
  }

  static void run(String query, int rounds) throws Exception {
    chain(List.of(query), rounds);
  }

  /**
   * Installs the queries in order as stream tables st0, st1, … (a later one may read an
   * earlier one), then refreshes them in that order after every batch.
   */
  static void chain(List<String> queries, int rounds) throws Exception {
    try (Connection c = PgHarness.connect()) {
      String schema = "t" + SCHEMAS.incrementAndGet() + "_" + Math.abs(queries.hashCode());
      exec(c, "CREATE SCHEMA " + schema);
      exec(c, "SET search_path = " + schema);
      createSources(c, schema, true);
      Random r = new Random(queries.hashCode());

      List<PgHarness.StreamTable> sts = new ArrayList<>();
      for (int i = 0; i < queries.size(); i++) {
        String query = queries.get(i);
        Plan plan = Planner.plan(query, PgHarness.catalog(c, schema));
        assertTrue(plan.isDifferential(), () -> "expected DIFFERENTIAL: " + plan.reasons());
        PgHarness.StreamTable st = new PgHarness.StreamTable(c, plan, schema + ".st" + i);
        st.install();
        assertEquals(0, st.differences(), "after initial load");
        if (i < queries.size() - 1) {
          PgHarness.installCapture(c, schema, "st" + i);
        }
        sts.add(st);
      }
      long nextId = 1000;
      for (int round = 0; round < rounds; round++) {
        int txns = 1 + r.nextInt(3);
        for (int t = 0; t < txns; t++) {
          c.setAutoCommit(false);
          nextId = randomDml(c, r, nextId);
          c.commit();
          c.setAutoCommit(true);
        }
        for (PgHarness.StreamTable st : sts) {
          st.refresh();
          assertEquals(0, st.differences(), "after refresh " + round + " of " + st.plan.query());
        }
      }
      // A refresh with an empty batch changes nothing.
      for (PgHarness.StreamTable st : sts) {
        st.refresh();
        assertEquals(0, st.lastRows, "empty batch");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT DISTINCT ON (grp) grp, id, val FROM src ORDER BY grp, val DESC, id",
      "SELECT id, rank() OVER (PARTITION BY grp ORDER BY val, id) AS rk FROM src",
      "SELECT id FROM src ORDER BY val DESC, id LIMIT 5",
  })
  void fullPlansInstallAndRefresh(String query) throws Exception {
    try (Connection c = PgHarness.connect()) {
      String schema = "full" + SCHEMAS.incrementAndGet();
      exec(c, "CREATE SCHEMA " + schema);
      exec(c, "SET search_path = " + schema);
      exec(c, "CREATE TABLE src (id bigint PRIMARY KEY, grp int, val numeric(10,2))");
      exec(c, "INSERT INTO src SELECT i, i % 4, i * 7 % 50 FROM generate_series(1, 30) i");
      Plan plan = Planner.plan(query, PgHarness.catalog(c, schema));
      assertEquals(io.pgtrickle.dvm.plan.Mode.FULL, plan.mode());
      PgHarness.StreamTable st = new PgHarness.StreamTable(c, plan, schema + ".st");
      st.install();
      assertEquals(0, st.differences());
      exec(c, "UPDATE src SET val = val + 13 WHERE id % 3 = 0");
      exec(c, "DELETE FROM src WHERE id % 5 = 0");
      st.refresh();
      assertEquals(0, st.differences());
    }
  }

  @org.junit.jupiter.api.Test
  void streamTableReadingStreamTables() throws Exception {
    chain(List.of(
        "SELECT grp, count(*) AS n, sum(val) AS total FROM src GROUP BY grp",
        "SELECT s.grp, s.total, d.name FROM st0 s JOIN dim d ON d.grp = s.grp WHERE s.n > 2",
        "SELECT name, count(*) AS k FROM st1 GROUP BY name"), 8);
  }

  /** The four source tables (src, dim, nk without key, ev with jsonb) and their first rows. */
  static void createSources(Connection c, String schema, boolean capture) throws Exception {
    exec(c, "CREATE TABLE src (id bigint PRIMARY KEY, grp int, val numeric(10,2), "
        + "flag boolean, txt text)");
    exec(c, "CREATE TABLE dim (grp int PRIMARY KEY, name text, region text)");
    exec(c, "CREATE TABLE nk (a int, b text)");
    exec(c, "CREATE TABLE ev (id bigint PRIMARY KEY, ts timestamptz NOT NULL, data jsonb)");
    if (capture) {
      for (String t : new String[] {"src", "dim", "nk", "ev"}) {
        PgHarness.installCapture(c, schema, t);
      }
    }
    exec(c, "INSERT INTO dim SELECT g, 'n' || g, 'r' || (g % 3) FROM generate_series(0, 9) g");
    exec(c, "INSERT INTO src SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE i % 10 END, "
        + "(i * 37 % 1000)::numeric / 1, i % 2 = 0, 't' || (i % 13) FROM generate_series(1, 60) i");
    exec(c, "INSERT INTO nk SELECT i % 5, 'b' || (i % 3) FROM generate_series(1, 20) i");
    exec(c, "INSERT INTO ev SELECT i, timestamptz '2024-01-01' + i * interval '5 hours', "
        + "jsonb_build_object('k', 'k' || (i % 4), 'n', i % 7) || CASE WHEN i % 5 = 0 "
        + "THEN '{}'::jsonb ELSE jsonb_build_object('x', i) END FROM generate_series(1, 40) i");
  }

  static long randomDml(Connection c, Random r, long nextId) throws Exception {
    int n = 1 + r.nextInt(6);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(13)) {
        case 0, 1 -> {
          long id = nextId++;
          exec(c, "INSERT INTO src VALUES (" + id + ", " + nullable(r, r.nextInt(12)) + ", "
              + (r.nextInt(4) == 0 ? "NULL" : Integer.toString(r.nextInt(1000))) + ", "
              + r.nextBoolean() + ", 't" + r.nextInt(13) + "')");
        }
        case 2 -> exec(c, "UPDATE src SET val = val + " + (r.nextInt(200) - 100)
            + ", flag = NOT flag WHERE id % 11 = " + r.nextInt(11));
        case 3 -> exec(c, "UPDATE src SET grp = " + nullable(r, r.nextInt(12))
            + " WHERE id = (SELECT id FROM src ORDER BY md5(id::text || '" + r.nextInt()
            + "') LIMIT 1)");
        case 4 -> exec(c, "UPDATE src SET id = id + 100000 WHERE id = (SELECT id FROM src "
            + "ORDER BY md5(id::text || '" + r.nextInt() + "') LIMIT 1)");
        case 5 -> exec(c, "DELETE FROM src WHERE id IN (SELECT id FROM src ORDER BY md5(id::text"
            + " || '" + r.nextInt() + "') LIMIT " + (1 + r.nextInt(3)) + ")");
        case 6 -> exec(c, "UPDATE dim SET region = 'r' || " + r.nextInt(4) + ", name = name || 'x'"
            + " WHERE grp = " + r.nextInt(12));
        case 7 -> exec(c, "DELETE FROM dim WHERE grp = " + r.nextInt(12));
        case 8 -> exec(c, "INSERT INTO dim VALUES (" + r.nextInt(12) + ", 'n', 'r1') "
            + "ON CONFLICT (grp) DO UPDATE SET name = 'm'");
        case 9 -> exec(c, "INSERT INTO nk VALUES (" + nullable(r, r.nextInt(6)) + ", 'b"
            + r.nextInt(3) + "')");
        case 11 -> {
          long id = nextId++;
          exec(c, "INSERT INTO ev VALUES (" + id + ", timestamptz '2024-01-01' + "
              + r.nextInt(400) + " * interval '1 hour', jsonb_build_object('k', 'k" + r.nextInt(5)
              + "', 'n', " + r.nextInt(9) + (r.nextBoolean() ? ", 'x', 1" : "") + "))");
          exec(c, "UPDATE ev SET data = data || jsonb_build_object('n', " + r.nextInt(9)
              + "), ts = ts + interval '3 hours' WHERE id % 9 = " + r.nextInt(9));
          exec(c, "DELETE FROM ev WHERE id % 17 = " + r.nextInt(17));
        }
        case 10 -> exec(c, "DELETE FROM nk WHERE ctid = (SELECT ctid FROM nk ORDER BY "
            + "md5(ctid::text || '" + r.nextInt() + "') LIMIT 1)");
        default -> {
          // same row touched twice in one transaction, and a delete of a fresh insert
          long id = nextId++;
          exec(c, "INSERT INTO src VALUES (" + id + ", 1, 1, true, 'dup')");
          exec(c, "UPDATE src SET val = 2 WHERE id = " + id);
          if (r.nextBoolean()) {
            exec(c, "DELETE FROM src WHERE id = " + id);
          }
        }
      }
    }
    return nextId;
  }

  private static String nullable(Random r, int v) {
    return r.nextInt(6) == 0 ? "NULL" : Integer.toString(v);
  }
}
