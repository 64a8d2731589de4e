package io.pgtrickle.operator.refresh;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stream tables reading stream tables: incremental through the chain, and safe when the upstream is rebuilt. */
class StreamTableChainIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static StreamTableService service;
    private static final StreamTableKey UP = new StreamTableKey("chain", "up");
    private static final StreamTableKey DOWN = new StreamTableKey("chain", "down");
    private static final String DOWN_QUERY = "SELECT g, sum(total) AS total FROM up GROUP BY g";

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE base (id int PRIMARY KEY, k int NOT NULL, v int NOT NULL)",
                "INSERT INTO base SELECT i, i % 20, i FROM generate_series(1, 400) i");
        service = new StreamTableService(PG.database().asDatabase());
    }

    private static StreamTableDefinition def(StreamTableKey key, String query) {
        return new StreamTableDefinition(key, "uid-" + key.name(), new QualifiedName("public", key.name()), query,
                RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L);
    }

    private static void assertDownExact(String upQuery) throws Exception {
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT g, sum(total) AS total FROM (" + upQuery + ") u GROUP BY g"),
                    Rows.storage(c, "down"));
        }
    }

    @Test
    void downstreamFollowsUpstreamIncrementallyAndSurvivesAnUpstreamRebuild() throws Exception {
        String up1 = "SELECT k % 5 AS g, k, sum(v) AS total FROM base GROUP BY k";
        service.apply(def(UP, up1));
        assertEquals("DIFFERENTIAL", service.apply(def(DOWN, DOWN_QUERY)).record().effectiveMode());

        PG.database().exec("UPDATE base SET v = v + 1 WHERE id = 7");
        assertEquals("DIFFERENTIAL", service.refresh(UP).mode());
        assertEquals("DIFFERENTIAL", service.refresh(DOWN).mode());
        assertDownExact(up1);

        // the same columns: the upstream table is recomputed in place (one group changes), and the downstream
        // goes on incrementally with the rows that changed
        String up2 = "SELECT k % 5 AS g, k, sum(v) AS total FROM base WHERE id <> 7 GROUP BY k";
        assertTrue(service.apply(def(UP, up2)).inPlace());
        RefreshResult incremental = service.refresh(DOWN);
        assertEquals("DIFFERENTIAL", incremental.mode(), String.valueOf(incremental.reason()));
        assertDownExact(up2);

        // other columns (total becomes numeric): the upstream storage table is recreated
        up2 = "SELECT k % 5 AS g, k, sum(v * 2)::numeric AS total FROM base GROUP BY k";
        assertTrue(service.apply(def(UP, up2)).rebuilt());
        RefreshResult r = service.refresh(DOWN);
        assertEquals("FULL", r.mode(), "the old DIFFERENTIAL statement named the dropped table's buffer");
        assertDownExact(up2);
        assertTrue(service.find(DOWN).orElseThrow().modeReason().contains("was recreated"));

        assertTrue(service.apply(def(DOWN, DOWN_QUERY)).rebuilt(), "re-applying re-plans against the new table");
        PG.database().exec("UPDATE base SET v = v + 1 WHERE id = 8");
        assertEquals("DIFFERENTIAL", service.refresh(UP).mode());
        assertEquals("DIFFERENTIAL", service.refresh(DOWN).mode());
        assertDownExact(up2);
    }
}
