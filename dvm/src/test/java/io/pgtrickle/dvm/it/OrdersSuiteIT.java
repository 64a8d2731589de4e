package io.pgtrickle.dvm.it;

import static io.pgtrickle.dvm.it.PgHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.Planner;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The operator's differential suite (orders, customers, items with a composite key, events
 * without a key and with exact duplicates), run against the engine alone: every query
 * DIFFERENTIAL, and storage = query result after every random batch.
 */
class OrdersSuiteIT {
  static final List<String> QUERIES = List.of(
      "SELECT id, customer_id, amount, status FROM orders",
      "SELECT * FROM customers",
      "SELECT id, amount FROM orders WHERE status = 'open'",
      "SELECT id, customer_id FROM orders WHERE amount IS NULL OR customer_id IS NULL",
      "SELECT id FROM orders WHERE amount BETWEEN 10 AND 60 AND qty <> 3",
      "SELECT id, amount * qty AS line_total, upper(status) AS st FROM orders",
      "SELECT id, CASE WHEN amount > 50 THEN 'big' WHEN amount IS NULL THEN 'none' ELSE 'small' END AS size FROM orders",
      "SELECT id, CAST(amount AS integer) AS whole, qty::text AS q FROM orders",
      "SELECT id, coalesce(region, 'unknown') AS region, length(name) AS len FROM customers",
      "SELECT o.id, o.amount, c.name FROM orders o JOIN customers c ON c.id = o.customer_id",
      "SELECT o.id, c.region FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.tier >= 2 AND o.status <> 'void'",
      "SELECT o.id, c.name, i.sku, i.n FROM orders o JOIN customers c ON c.id = o.customer_id JOIN items i ON i.order_id = o.id",
      "SELECT o.id AS oid, c.id AS cid FROM orders o JOIN customers c ON o.qty > c.tier AND c.id = o.customer_id",
      "SELECT a.id AS a_id, b.id AS b_id FROM customers a JOIN customers b ON a.region = b.region AND a.id < b.id",
      "SELECT e.kind, e.val, c.name FROM events e JOIN customers c ON c.id = e.val",
      "SELECT c.id, c.name, o.id AS order_id, o.amount FROM customers c LEFT JOIN orders o ON o.customer_id = c.id",
      "SELECT o.id, c.name FROM customers c RIGHT JOIN orders o ON o.customer_id = c.id",
      "SELECT c.id AS cid, o.id AS oid FROM customers c FULL JOIN orders o ON o.customer_id = c.id",
      "SELECT c.id, count(o.id) AS n, sum(o.amount) AS total FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id",
      "SELECT status, count(*) AS n FROM orders GROUP BY status",
      "SELECT customer_id, sum(amount) AS total, avg(amount) AS mean, count(amount) AS nn FROM orders GROUP BY customer_id",
      "SELECT region, count(*) AS n FROM customers GROUP BY region",
      "SELECT count(*) AS n, sum(amount) AS total FROM orders",
      "SELECT status, min(amount) AS lo, max(amount) AS hi FROM orders GROUP BY status",
      "SELECT status, count(DISTINCT customer_id) AS customers FROM orders GROUP BY status",
      "SELECT customer_id, bool_and(qty > 1) AS all_multi, bool_or(amount > 90) AS any_big FROM orders GROUP BY customer_id",
      "SELECT customer_id, string_agg(status, ',' ORDER BY id) AS statuses FROM orders GROUP BY customer_id",
      "SELECT region, array_agg(id ORDER BY id) AS ids FROM customers GROUP BY region",
      "SELECT customer_id, count(*) FILTER (WHERE status = 'open') AS open_n, sum(amount) FILTER (WHERE qty > 2) AS big_total FROM orders GROUP BY customer_id",
      "SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id HAVING count(*) > 2",
      "SELECT qty % 3 AS bucket, sum(amount) AS total FROM orders GROUP BY qty % 3",
      "SELECT customer_id, status, count(*) AS n FROM orders GROUP BY customer_id, status",
      "SELECT kind, count(*) AS n, sum(val) AS total FROM events GROUP BY kind",
      "SELECT c.region, count(*) AS n, sum(o.amount) AS total FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.region",
      "SELECT DISTINCT status FROM orders",
      "SELECT DISTINCT kind, val FROM events",
      "SELECT id, 'o' AS src FROM orders WHERE amount > 50 UNION ALL SELECT id, 'c' AS src FROM customers WHERE tier = 1",
      "SELECT kind, val, note FROM events",
      "SELECT kind, val FROM events WHERE val > 3",
      "SELECT s.customer_id, s.total FROM (SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id) s WHERE s.total > 100",
      "WITH big AS (SELECT id, customer_id FROM orders WHERE amount > 40) SELECT b.id, c.name FROM big b JOIN customers c ON c.id = b.customer_id",
      "SELECT order_id, sku, n * 2 AS double_n FROM items WHERE n > 0",
      "SELECT date_trunc('day', created_at) AS day, count(*) AS n FROM orders GROUP BY 1",
      "SELECT id FROM orders WHERE created_at > timestamptz '2026-01-01' + interval '10 days'");

  @Test
  void everyQueryIsDifferentialAndExact() throws Exception {
    try (Connection c = PgHarness.connect()) {
      exec(c, "CREATE SCHEMA orders_suite");
      exec(c, "SET search_path = orders_suite");
      exec(c, "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, region text, tier int)");
      exec(c, "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, amount numeric(10,2), "
          + "status text NOT NULL, qty int NOT NULL, created_at timestamptz NOT NULL)");
      exec(c, "CREATE TABLE items (order_id bigint, sku text, n int NOT NULL, "
          + "PRIMARY KEY (order_id, sku))");
      exec(c, "CREATE TABLE events (kind text, val int, note text)");
      for (String t : List.of("customers", "orders", "items", "events")) {
        PgHarness.installCapture(c, "orders_suite", t);
      }
      exec(c, "SELECT setseed(0.42)");
      exec(c, "INSERT INTO customers SELECT g, 'c' || g, CASE WHEN g % 5 = 0 THEN NULL "
          + "ELSE 'r' || (g % 3) END, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 4 END "
          + "FROM generate_series(1, 30) g");
      exec(c, "INSERT INTO orders SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + g % 35 END, "
          + "CASE WHEN g % 13 = 0 THEN NULL ELSE round((random() * 100)::numeric, 2) END, "
          + "(ARRAY['open','paid','void'])[1 + g % 3], 1 + g % 5, "
          + "timestamptz '2026-01-01' + g * interval '7 hours' FROM generate_series(1, 200) g");
      exec(c, "INSERT INTO items SELECT o, 'sku' || k, (o + k) % 4 FROM generate_series(1, 120) o, "
          + "generate_series(1, 2) k");
      exec(c, "INSERT INTO events SELECT (ARRAY['a','b',NULL])[1 + g % 3], g % 7, 'n' "
          + "FROM generate_series(1, 60) g");
      exec(c, "INSERT INTO events SELECT kind, val, note FROM events WHERE val < 2");

      List<String> failures = new ArrayList<>();
      List<PgHarness.StreamTable> sts = new ArrayList<>();
      for (int i = 0; i < QUERIES.size(); i++) {
        Plan plan = Planner.plan(QUERIES.get(i), PgHarness.catalog(c, "orders_suite"));
        if (!plan.isDifferential()) {
          failures.add("FULL: " + QUERIES.get(i) + " " + plan.reasons());
          continue;
        }
        PgHarness.StreamTable st = new PgHarness.StreamTable(c, plan, "orders_suite.st" + i);
        st.install();
        sts.add(st);
      }
      Random rnd = new Random(42);
      for (int round = 1; round <= 6; round++) {
        randomBatch(c, rnd, round);
        for (PgHarness.StreamTable st : sts) {
          try {
            st.refresh();
            long d = st.differences();
            if (d != 0) {
              failures.add("round " + round + ": " + d + " differences: " + st.plan.query());
            }
          } catch (Exception e) {
            c.rollback();
            c.setAutoCommit(true);
            failures.add("round " + round + ": " + e.getMessage().lines().findFirst().orElse("")
                + ": " + st.plan.query());
          }
        }
      }
      assertEquals(List.of(), failures);
    }
  }

  private static void randomBatch(Connection c, Random rnd, int round) throws Exception {
    c.setAutoCommit(false);
    int base = 1000 * round;
    for (int i = 0; i < 8; i++) {
      int id = 1 + rnd.nextInt(200 + base);
      switch (rnd.nextInt(7)) {
        case 0 -> exec(c, "INSERT INTO orders VALUES (" + (base + i) + ", "
            + (rnd.nextInt(5) == 0 ? "NULL" : 1 + rnd.nextInt(35)) + ", "
            + (rnd.nextInt(6) == 0 ? "NULL" : rnd.nextInt(10000) / 100.0) + ", '"
            + List.of("open", "paid", "void").get(rnd.nextInt(3)) + "', " + (1 + rnd.nextInt(5))
            + ", timestamptz '2026-01-05' + interval '" + rnd.nextInt(300) + " hours')");
        case 1 -> exec(c, "UPDATE orders SET amount = " + (rnd.nextInt(4) == 0 ? "NULL"
            : String.valueOf(rnd.nextInt(10000) / 100.0)) + ", status = '"
            + List.of("open", "paid", "void").get(rnd.nextInt(3)) + "' WHERE id % 17 = " + (id % 17));
        case 2 -> exec(c, "UPDATE orders SET id = id + 100000 WHERE id = " + id);
        case 3 -> exec(c, "DELETE FROM orders WHERE id = " + id);
        case 4 -> exec(c, "UPDATE customers SET region = " + (rnd.nextInt(4) == 0 ? "NULL"
            : "'r" + rnd.nextInt(3) + "'") + ", tier = " + rnd.nextInt(4) + " WHERE id = "
            + (1 + rnd.nextInt(35)));
        case 5 -> {
          exec(c, "DELETE FROM customers WHERE id = " + (1 + rnd.nextInt(35)));
          exec(c, "INSERT INTO customers VALUES (" + (1 + rnd.nextInt(35)) + ", 'n" + round
              + "', 'r" + rnd.nextInt(3) + "', " + rnd.nextInt(4) + ") ON CONFLICT (id) DO NOTHING");
        }
        default -> {
          exec(c, "INSERT INTO events VALUES ('" + List.of("a", "b", "c").get(rnd.nextInt(3))
              + "', " + rnd.nextInt(7) + ", 'n'), ('a', 1, 'n')");
          exec(c, "DELETE FROM events WHERE ctid IN (SELECT ctid FROM events WHERE val = "
              + rnd.nextInt(7) + " LIMIT 2)");
          exec(c, "UPDATE events SET val = val + 1 WHERE kind = 'b' AND val = " + rnd.nextInt(7));
          exec(c, "UPDATE items SET n = n + 1 WHERE order_id = " + id);
          exec(c, "DELETE FROM items WHERE order_id = " + (id + 1));
          exec(c, "INSERT INTO items VALUES (" + id + ", 'x" + round + "', " + rnd.nextInt(3)
              + ") ON CONFLICT DO NOTHING");
        }
      }
    }
    c.commit();
    c.setAutoCommit(true);
  }
}
