package io.pgtrickle.operator.generated;

import io.pgtrickle.operator.generated.DmlGenerator.Batch;
import io.pgtrickle.operator.generated.GenQuery.Item;
import io.pgtrickle.operator.generated.GenQuery.Join;
import io.pgtrickle.operator.generated.GenQuery.Select;
import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static io.pgtrickle.operator.generated.GenReplay.batch;
import static io.pgtrickle.operator.generated.GenReplay.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness itself finds a wrong stream table and shrinks the case to what shows it: a batch
 * that deletes the captured change of one UPDATE from the change buffer (a lost change, as a
 * capture bug would lose it) makes the DIFFERENTIAL stream table stale; the shrinker drops the
 * unrelated batches, transactions and statements and the query's join, filters and other columns.
 */
class ShrinkerIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    /** Deletes every captured change of {@code orders} in the current transaction (a simulated lost change). */
    static final String LOSE_ORDERS_CHANGES = "DO $$ BEGIN EXECUTE format('DELETE FROM pgtrickle_changes.%I',"
            + " 'changes_' || 'orders'::regclass::oid); END $$";

    static final GenQuery QUERY = new GenQuery(List.of(), new Select(false, null,
            List.of(new Item("t0.id", "c1"), new Item("t0.amount", "c2"), new Item("t1.name", "c3")), "orders t0",
            List.of(new Join("LEFT JOIN", "customers t1", List.of("t1.id = t0.customer_id"))),
            List.of("t0.qty >= 0", "t0.status IS NOT NULL"), List.of(), List.of(), null, null));

    static final List<Batch> BATCHES = List.of(
            batch(tx("UPDATE customers SET name = 'renamed' WHERE id = 3"),
                    tx("INSERT INTO orders VALUES (5000, 3, 12.00, 'open', 1, timestamptz '2026-01-04', NULL)")),
            batch(tx("DELETE FROM events WHERE val = 3", "UPDATE orders SET amount = 1.25 WHERE id = 5",
                    LOSE_ORDERS_CHANGES, "UPDATE customers SET region = NULL WHERE id = 4"),
                    tx("INSERT INTO items VALUES (5, 'sku9', 1, NULL)")),
            batch(tx("UPDATE orders SET qty = qty + 1 WHERE id = 7")));

    @Test
    void aLostChangeIsFoundAndShrunkToTheStatementsAndQueryPartsThatShowIt() throws Exception {
        GenReplay.Failure f = GenReplay.firstFailure(QUERY.sql(), BATCHES);
        assertNotNull(f, "the lost change is seen");
        assertEquals(2, f.batch());
        assertEquals(FailureClass.UNKNOWN, f.cls());

        Shrinker.Shrunk s = Shrinker.shrink(QUERY, BATCHES, GenLab.TUNING, f, 180_000, 300);
        assertNotNull(s);
        assertEquals("SELECT t0.amount AS c2 FROM orders t0", s.sql());
        assertEquals(List.of(batch(tx("UPDATE orders SET amount = 1.25 WHERE id = 5", LOSE_ORDERS_CHANGES))),
                s.batches());
        String test = Shrinker.junit(s, "lostChange", "example");
        assertTrue(test.contains("GenReplay.assertExact(\n                \"SELECT t0.amount AS c2 FROM orders t0\",\n"
                + "                batch(tx(\"UPDATE orders SET amount = 1.25 WHERE id = 5\", \"DO $$"), test);
    }

    @Test
    void aCaseWithoutTheLostChangeReplaysExact() throws Exception {
        assertNull(GenReplay.firstFailure(QUERY.sql(), List.of(BATCHES.get(0), BATCHES.get(2))));
    }
}
