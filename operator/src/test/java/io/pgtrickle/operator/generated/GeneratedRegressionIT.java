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

    /**
     * Found by the generated suite (seed 20261203, group 136): a keyless source of which the query reads
     * no column (count(*), an uncorrelated EXISTS, a constant) failed to apply — its change buffer's
     * projection function was created as {@code RETURNS TABLE ()}, a syntax error.
     */
    @Test
    void aQueryReadingNoColumnOfATableWithoutKeyIsMaintained() throws Exception {
        GenReplay.assertExact("SELECT count(*) AS c1 FROM events t0",
                batch(tx("INSERT INTO events VALUES ('open', 1, 'n', NULL), ('open', 1, 'n', NULL)",
                        "DELETE FROM events WHERE val = 2")));
        GenReplay.assertExact("SELECT t0.id AS c1 FROM orders t0 WHERE NOT EXISTS (SELECT 1 FROM events s1)",
                batch(tx("DELETE FROM events")),
                batch(tx("INSERT INTO events VALUES (NULL, NULL, NULL, NULL)")));
    }

    /**
     * Found by the generated suite (seed 20261203, group 19, and by hand from it): in a FULL JOIN of two
     * groupings, the row padded for the left side's NULL group and the one padded for the right side's
     * NULL group had the same row identity, so one of them was lost. At install the identity check
     * catches it (the stream table goes FULL); here the NULL groups appear only after the install.
     */
    @Test
    void aFullJoinOfTwoGroupingsKeepsTheRowsPaddedForEachSidesNullGroup() throws Exception {
        GenReplay.assertExact("SELECT t0.n AS c1, t1.n AS c2 FROM (SELECT customer_id, count(*) AS n FROM orders"
                        + " WHERE id > 5000 GROUP BY customer_id) t0 FULL JOIN (SELECT customer_id, count(*) AS n"
                        + " FROM orders WHERE id > 5000 GROUP BY customer_id) t1 ON t1.customer_id = t0.customer_id",
                batch(tx("INSERT INTO orders VALUES (6000, NULL, 1, 'open', 1, timestamptz '2026-01-03', NULL)")));
        GenReplay.assertExact("SELECT t0.r AS c1, t1.n AS c2 FROM (SELECT DISTINCT region AS r FROM customers"
                        + " WHERE id > 100) t0 FULL JOIN (SELECT kind, count(*) AS n FROM events WHERE val > 100"
                        + " GROUP BY kind) t1 ON t1.kind = t0.r",
                batch(tx("INSERT INTO customers VALUES (101, 'x', NULL, 1, NULL, NULL)",
                        "INSERT INTO events VALUES (NULL, 101, NULL, NULL)")));
    }

    /**
     * Found by the generated suite (seed 777, group 70, shrunk in 17 replays): after rows move between groups
     * the incrementally maintained {@code sum(id::numeric / 4)} has another scale than PostgreSQL's own sum
     * ({@code 37.00000000000000000000} for {@code 37.0000000000000000}): equal as numbers, but the query's
     * {@code ::text} makes it a different value.
     */
    @Test
    void aSumOfNumericDivisionsKeepsPostgresqlsScaleAfterRowsMoveBetweenGroups() throws Exception {
        GenReplay.assertExact("SELECT t0.sum_v::text AS c4 FROM (SELECT s1.tier AS tier, count(*) AS cnt,"
                        + " sum((s1.id)::numeric / 4) AS sum_v FROM customers s1 GROUP BY s1.tier) t0",
                batch(tx("UPDATE customers SET tier = 1, vip = false, profile = '{\"score\": 2, \"tags\": [\"a\"]}'"
                        + " WHERE id % 9 = 4")));
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
