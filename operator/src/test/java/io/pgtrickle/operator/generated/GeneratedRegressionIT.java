package io.pgtrickle.operator.generated;

import io.pgtrickle.operator.lifecycle.RefreshTuning;
import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.pgtrickle.operator.generated.GenReplay.batch;
import static io.pgtrickle.operator.generated.GenReplay.tx;

/**
 * Cases of the generated suite kept as regular tests, in the form the shrinker prints them: each
 * query runs alone on a fresh {@link GenSchema} database as a stream table (AUTO), and after its
 * load and after every batch it equals the query as a multiset. They cover the bug classes the
 * generated suite was written against (duplicate rows, jsonb {@code ?} operators, correlated and
 * LATERAL aggregates, EXISTS inside EXISTS in a FULL stream table, sub-queries as select-list
 * values, ordered-set aggregates), so that each stays fixed.
 */
class GeneratedRegressionIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void aTableWithoutKeyKeepsEachCopyOfEqualRows() throws Exception {
        GenReplay.assertExact("SELECT t0.kind AS c1, t0.val AS c2 FROM events t0",
                batch(tx("INSERT INTO events VALUES ('open', 1, 'n', NULL), ('open', 1, 'n', NULL)",
                        "INSERT INTO events SELECT * FROM events WHERE val = 2")),
                batch(tx("DELETE FROM events WHERE ctid IN (SELECT ctid FROM events WHERE val = 1 LIMIT 1)"),
                        tx("UPDATE events SET val = 3 WHERE ctid IN (SELECT ctid FROM events WHERE val = 2 LIMIT 1)")));
    }

    @Test
    void aProjectionDroppingTheKeyAndAUnionAllOfABranchWithItselfKeepEqualRows() throws Exception {
        GenReplay.assertExact("SELECT t0.region AS c1 FROM customers t0",
                batch(tx("UPDATE customers SET region = 'r1' WHERE id IN (3, 4)", "DELETE FROM customers WHERE id = 7")),
                batch(tx("UPDATE customers SET region = NULL WHERE id = 4")));
        GenReplay.assertExact("SELECT t0.status AS c1, t0.qty % 2 AS c2 FROM orders t0 WHERE t0.amount > 50"
                        + " UNION ALL SELECT t0.status AS c1, t0.qty % 2 AS c2 FROM orders t0 WHERE t0.amount > 50",
                batch(tx("UPDATE orders SET amount = 99 WHERE id % 17 = 3", "DELETE FROM orders WHERE id = 20")));
    }

    @Test
    void jsonbQuestionMarkOperatorsRefresh() throws Exception {
        GenReplay.assertExact("SELECT t0.id AS c1, t0.profile ? 'city' AS c2 FROM customers t0"
                        + " WHERE t0.profile ?| array['t', 'score'] OR t0.profile ?& array['vip', 'city']",
                batch(tx("UPDATE customers SET profile = '{\"vip\": true, \"city\": \"x1\", \"score\": 4}' WHERE id = 1",
                        "UPDATE customers SET profile = NULL WHERE id = 2")),
                batch(tx("UPDATE customers SET profile = '{}' WHERE id % 9 = 3")));
    }

    @Test
    void correlatedAndLateralAggregatesKeepEveryOuterRow() throws Exception {
        GenReplay.assertExact("SELECT t0.id AS c1, (SELECT count(*) FROM orders s1 WHERE s1.customer_id = t0.id) AS c2"
                        + " FROM customers t0",
                batch(tx("DELETE FROM orders WHERE customer_id = 3", "UPDATE orders SET customer_id = 3 WHERE id = 5")));
        GenReplay.assertExact("SELECT t0.id AS c1, l1.n AS c2, l1.v AS c3 FROM customers t0 JOIN LATERAL"
                        + " (SELECT count(*) AS n, sum(s1.amount) AS v FROM orders s1 WHERE s1.customer_id = t0.id) l1 ON true",
                batch(tx("DELETE FROM orders WHERE customer_id = 4", "INSERT INTO orders VALUES (4000, 41, NULL, 'open', 1,"
                        + " timestamptz '2026-01-03', NULL)")));
    }

    @Test
    void aFullStreamTableWithExistsInsideExistsSeesChangesOfTheInnerTable() throws Exception {
        GenReplay.assertExact("SELECT t0.id AS c1 FROM customers t0 WHERE EXISTS (SELECT 1 FROM orders s1"
                        + " WHERE s1.customer_id = t0.id AND EXISTS (SELECT 1 FROM items s2 WHERE s2.order_id = s1.id))"
                        + " ORDER BY t0.id LIMIT 30",
                batch(tx("DELETE FROM items WHERE order_id < 60")),
                batch(tx("INSERT INTO items VALUES (2, 'sku7', 1, NULL), (47, 'sku7', 1, NULL)")));
    }

    @Test
    void subqueriesAsSelectListValuesAndOrderedSetAggregatesAreExact() throws Exception {
        GenReplay.assertExact("SELECT t0.id AS c1, EXISTS (SELECT 1 FROM orders s1 WHERE s1.customer_id = t0.id) AS c2,"
                        + " (SELECT s2.code FROM regions s2 WHERE s2.code = t0.region) AS c3 FROM customers t0",
                batch(tx("DELETE FROM orders WHERE customer_id = 6", "DELETE FROM regions WHERE code = 'r1'")));
        GenReplay.assertExact(RefreshTuning.DEFAULTS, "SELECT t0.status AS c1, percentile_cont(0.5) WITHIN GROUP"
                        + " (ORDER BY t0.amount) AS c2 FROM orders t0 GROUP BY t0.status",
                batch(tx("UPDATE orders SET amount = amount * 2 WHERE id % 17 = 1")));
    }
}
