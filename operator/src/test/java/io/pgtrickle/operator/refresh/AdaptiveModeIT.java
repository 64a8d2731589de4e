package io.pgtrickle.operator.refresh;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.RefreshTuning;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How AUTO chooses between DIFFERENTIAL and FULL for one refresh, and that both stay exact. */
class AdaptiveModeIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static StreamTableService service;

    @BeforeAll
    static void schema() {
        // Room on every page: updates stay on their page (HOT), so the row estimate AUTO's ratio uses
        // (density times pages, see RowEstimate) stays at 1,000 however many updates the tests make.
        PG.database().exec("CREATE TABLE m (id int PRIMARY KEY, g int, v int) WITH (fillfactor = 40)",
                "INSERT INTO m SELECT i, i % 7, i FROM generate_series(1, 1000) i", "ANALYZE m");
        service = new StreamTableService(PG.database().asDatabase());
    }

    private static StreamTableKey apply(String name, RefreshTuning tuning) throws Exception {
        StreamTableKey key = new StreamTableKey("adaptive", name);
        service.apply(new StreamTableDefinition(key, "uid-" + name, new QualifiedName("public", name),
                "SELECT g, sum(v) AS total FROM m GROUP BY g", RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L,
                tuning));
        return key;
    }

    private static void assertExact(String table) throws Exception {
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT g, sum(v) AS total FROM m GROUP BY g"), Rows.storage(c, table));
        }
    }

    @Test
    void aSmallBatchIsDifferentialALargeOneFallsBackToFullAboveTheRatio() throws Exception {
        StreamTableKey key = apply("by_ratio", new RefreshTuning(0.15, false));
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 10");
        RefreshResult small = service.refresh(key);
        assertEquals("DIFFERENTIAL", small.mode());
        assertNull(small.reason());
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 100"); // 200 change rows: 20 % of 1,000
        RefreshResult large = service.refresh(key);
        assertEquals("FULL", large.mode());
        assertTrue(large.reason().contains("above 15%"), large.reason());
        assertExact("by_ratio");
        PG.database().exec("UPDATE m SET v = v + 1"); // beyond twice the ratio: not even counted to the end
        RefreshResult huge = service.refresh(key);
        assertEquals("FULL", huge.mode());
        assertTrue(huge.reason().startsWith("AUTO: more than"), huge.reason());
        assertExact("by_ratio");
    }

    @Test
    void whileLearningAutoMeasuresDifferentialUpToTwiceTheRatioInsteadOfTrustingIt() throws Exception {
        // A batch between the ratio and twice it: with learnFromHistory and no learnt DIFFERENTIAL cost, AUTO
        // measures it rather than recomputing in full (a row-level stream table would otherwise stay FULL
        // for as long as its batches exceed the ratio, at several times the cost); without, the ratio decides.
        StreamTableKey learning = apply("learning", new RefreshTuning(0.15, true));
        StreamTableKey fixed = apply("fixed", new RefreshTuning(0.15, false));
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 100"); // 200 change rows: 20 % of 1,000
        RefreshResult measured = service.refresh(learning);
        assertEquals("DIFFERENTIAL", measured.mode());
        assertNull(measured.reason());
        assertExact("learning");
        RefreshResult byRatio = service.refresh(fixed);
        assertEquals("FULL", byRatio.mode(), () -> String.valueOf(byRatio));
        assertTrue(byRatio.reason().contains("above 15%"), byRatio.reason());
        assertExact("fixed");
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 200"); // 400 change rows: beyond twice the ratio
        RefreshResult beyond = service.refresh(learning);
        assertEquals("FULL", beyond.mode());
        assertTrue(beyond.reason().startsWith("AUTO: more than"), beyond.reason());
        assertExact("learning");
    }

    @Test
    void aFullRefreshOfALargeTableRebuildsItsKey() throws Exception {
        PG.database().exec("CREATE TABLE big (id int PRIMARY KEY, v int)",
                "INSERT INTO big SELECT i, i FROM generate_series(1, 20000) i", "ANALYZE big");
        StreamTableKey key = new StreamTableKey("adaptive", "big_copy");
        service.apply(new StreamTableDefinition(key, "uid-big", new QualifiedName("public", "big_copy"),
                "SELECT id, v FROM big", RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L,
                new RefreshTuning(0.15, false)));
        PG.database().exec("ANALYZE big_copy",
                "UPDATE big SET v = v + 1 WHERE id % 2 = 0", "DELETE FROM big WHERE id % 7 = 0",
                "INSERT INTO big SELECT i, i FROM generate_series(20001, 20100) i");
        String primaryKey = "SELECT conname || ' ' || (conindid <> %d) FROM pg_constraint"
                + " WHERE conrelid = 'big_copy'::regclass AND contype = 'p'";
        try (Connection c = PG.database().connect()) {
            long index = Rows.count(c, "SELECT conindid::bigint FROM pg_constraint"
                    + " WHERE conrelid = 'big_copy'::regclass AND contype = 'p'");
            assertEquals("FULL", service.refresh(key).mode());
            assertEquals(Rows.multiset(c, "SELECT id, v FROM big"), Rows.multiset(c, "SELECT id, v FROM big_copy"));
            // the same primary key, on a new index built after the load
            assertEquals(List.of("big_copy_pkey true"), Rows.multiset(c, primaryKey.formatted(index)));
        }
        PG.database().exec("UPDATE big SET v = v + 1 WHERE id = 1");
        assertEquals("DIFFERENTIAL", service.refresh(key).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, v FROM big"), Rows.multiset(c, "SELECT id, v FROM big_copy"));
        }
    }

    @Test
    void aStreamTableReappliedOverAnotherSourceRefreshesExactly() throws Exception {
        // The second refresh of a stream table pipelines its batch query with the lock; after a
        // re-apply over another source (whose old change buffer is dropped) that query is stale.
        PG.database().exec("CREATE TABLE src_a (id int PRIMARY KEY, v int)", "CREATE TABLE src_b (id int PRIMARY KEY, v int)",
                "INSERT INTO src_a SELECT i, i FROM generate_series(1, 50) i",
                "INSERT INTO src_b SELECT i, -i FROM generate_series(1, 50) i");
        StreamTableKey key = new StreamTableKey("adaptive", "moving");
        for (String source : new String[] {"src_a", "src_b"}) {
            service.apply(new StreamTableDefinition(key, "uid-moving", new QualifiedName("public", "moving"),
                    "SELECT id, v FROM " + source, RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L,
                    new RefreshTuning(0.15, true)));
            for (int round = 0; round < 3; round++) {
                PG.database().exec("UPDATE " + source + " SET v = v + 1 WHERE id = " + (round + 1));
                assertEquals("DIFFERENTIAL", service.refresh(key).mode());
                try (Connection c = PG.database().connect()) {
                    assertEquals(Rows.multiset(c, "SELECT id, v FROM " + source), Rows.storage(c, "moving"));
                }
            }
        }
    }

    @Test
    void learntCostsOverrideTheRatio() throws Exception {
        StreamTableKey key = apply("learnt", new RefreshTuning(0.99, true));
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 5");
        assertEquals("DIFFERENTIAL", service.refresh(key).mode());
        // Teach it that DIFFERENTIAL is very slow per change and FULL is fast.
        PG.database().exec("INSERT INTO pgtrickle.refresh_history (namespace, name, started_at, duration_ms, mode, rows,"
                + " changes, ok) SELECT 'adaptive', 'learnt', now(), 1000000, 'DIFFERENTIAL', 1, 1000, true"
                + " FROM generate_series(1, 20)", "INSERT INTO pgtrickle.refresh_history (namespace, name, started_at,"
                + " duration_ms, mode, rows, changes, ok) SELECT 'adaptive', 'learnt', now(), 1, 'FULL', 7, 1000, true"
                + " FROM generate_series(1, 5)");
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 5");
        RefreshResult r = service.refresh(key);
        assertEquals("FULL", r.mode());
        assertTrue(r.reason().startsWith("AUTO (learnt)"), r.reason());
        assertExact("learnt");
    }

    @Test
    void untilAFullRefreshIsMeasuredItsCostIsTwiceTheInitialLoad() throws Exception {
        StreamTableKey key = apply("provisional", new RefreshTuning(0.15, true));
        // The apply's load, the only FULL row so far, took 10 ms; DIFFERENTIAL has cost 0.075 ms per change.
        PG.database().exec("UPDATE pgtrickle.refresh_history SET duration_ms = 10 WHERE namespace = 'adaptive'"
                + " AND name = 'provisional' AND mode = 'FULL'", "INSERT INTO pgtrickle.refresh_history (namespace,"
                + " name, started_at, duration_ms, mode, rows, changes, ok) SELECT 'adaptive', 'provisional', now(), 75,"
                + " 'DIFFERENTIAL', 1, 1000, true FROM generate_series(1, 3)");
        // 200 change rows, predicted 15 ms: more than the load, less than the FULL refresh taken for twice it.
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 100");
        RefreshResult differential = service.refresh(key);
        assertEquals("DIFFERENTIAL", differential.mode(), () -> String.valueOf(differential));
        assertExact("provisional");
        // A FULL refresh measured by a refresh (it has a batch size) replaces the estimate: 10 ms now means FULL.
        PG.database().exec("INSERT INTO pgtrickle.refresh_history (namespace, name, started_at, duration_ms, mode,"
                + " rows, changes, ok) VALUES ('adaptive', 'provisional', now(), 10, 'FULL', 7, 5000, true)");
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 100");
        RefreshResult full = service.refresh(key);
        assertEquals("FULL", full.mode(), () -> String.valueOf(full));
        assertTrue(full.reason().startsWith("AUTO (learnt)") && full.reason().contains("FULL refresh about 10 ms"),
                full.reason());
        assertExact("provisional");
    }
}
