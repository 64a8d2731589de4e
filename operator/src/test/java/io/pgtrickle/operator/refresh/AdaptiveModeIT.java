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
        PG.database().exec("CREATE TABLE m (id int PRIMARY KEY, g int, v int)",
                "INSERT INTO m SELECT i, i % 7, i FROM generate_series(1, 1000) i", "ANALYZE m");
        service = new StreamTableService(PG.database().asDatabase());
    }

    private static StreamTableKey apply(String name, RefreshTuning tuning) throws Exception {
        StreamTableKey key = new StreamTableKey("adaptive", name);
        service.apply(new StreamTableDefinition(key, "uid-" + name, new QualifiedName("public", name),
                "SELECT g, sum(v) AS total FROM m GROUP BY g", RefreshMode.AUTO, "1h", true, ReclaimPolicy.Delete, 1L,
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
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 300");
        RefreshResult large = service.refresh(key);
        assertEquals("FULL", large.mode());
        assertTrue(large.reason().contains("above 15%"), large.reason());
        assertExact("by_ratio");
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
                + " duration_ms, mode, rows, ok) SELECT 'adaptive', 'learnt', now(), 1, 'FULL', 7, true"
                + " FROM generate_series(1, 5)");
        PG.database().exec("UPDATE m SET v = v + 1 WHERE id <= 5");
        RefreshResult r = service.refresh(key);
        assertEquals("FULL", r.mode());
        assertTrue(r.reason().startsWith("AUTO (learnt)"), r.reason());
        assertExact("learnt");
    }
}
