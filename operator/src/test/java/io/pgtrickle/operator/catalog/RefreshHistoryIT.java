package io.pgtrickle.operator.catalog;

import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefreshHistoryIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void catalog() throws Exception {
        try (Connection c = PG.database().connect()) {
            CatalogSchema.ensure(c);
        }
    }

    /** Oldest first: {@code learning} DIFFERENTIAL rows AUTO learns from, {@code fulls} FULL rows, then empty refreshes. */
    private static void history(String name, int learning, int fulls, int empty) {
        String insert = "INSERT INTO pgtrickle.refresh_history (namespace, name, started_at, duration_ms, mode, rows,"
                + " changes, ok) SELECT 'ns', '" + name + "', now(), %s, '%s', 0, %s, true FROM generate_series(1, %d) g";
        PG.database().exec(insert.formatted("g", "DIFFERENTIAL", RefreshHistory.MIN_LEARNING_BATCH + " + g", learning),
                insert.formatted("100 + g", "FULL", "NULL", fulls),
                // a failed refresh and a small batch teach nothing: kept only among the newest rows
                insert.formatted("1", "DIFFERENTIAL", "0", empty));
    }

    private static List<String> rows(Connection c, String name, String where) throws Exception {
        return Rows.multiset(c, "SELECT mode || ':' || duration_ms FROM pgtrickle.refresh_history WHERE namespace = 'ns'"
                + " AND name = '" + name + "' AND " + where);
    }

    @Test
    void pruningKeepsTheNewestRowsAndTheRowsAutoStillLearnsFrom() throws Exception {
        history("busy", 30, 15, 2 * RefreshHistory.KEPT_ROWS);
        history("quiet", 5, 2, 100);
        try (Connection c = PG.database().connect()) {
            int deleted = RefreshHistory.prune(c, "ns", "busy");

            assertEquals(30 + 15 + 2 * RefreshHistory.KEPT_ROWS
                    - RefreshHistory.KEPT_ROWS - RefreshHistory.KEPT_LEARNING - RefreshHistory.KEPT_FULL, deleted);
            assertEquals(RefreshHistory.KEPT_ROWS, rows(c, "busy", "changes = 0").size());
            // the 20 newest learning rows (durations 11..30) and the 10 newest FULL ones (106..115)
            assertEquals(Rows.multiset(c, "SELECT 'DIFFERENTIAL:' || g FROM generate_series(11, 30) g"),
                    rows(c, "busy", RefreshHistory.LEARNING));
            assertEquals(Rows.multiset(c, "SELECT 'FULL:' || (100 + g) FROM generate_series(6, 15) g"),
                    rows(c, "busy", RefreshHistory.FULL));
            assertEquals(107, rows(c, "quiet", "true").size(), "another stream table's rows are untouched");

            assertEquals(0, RefreshHistory.prune(c, "ns", "busy"), "pruning again has nothing to delete");
            assertEquals(0, RefreshHistory.prune(c, "ns", "quiet"), "under the retention nothing is deleted");
        }
    }

    @Test
    void autosHistoryQueriesHaveIndexesOfTheirOwn() throws Exception {
        history("indexed", 3, 3, 20_000);
        PG.database().exec("ANALYZE pgtrickle.refresh_history");
        try (Connection c = PG.database().connect()) {
            for (String[] query : List.of(new String[] {RefreshHistory.LEARNING, "refresh_history_learning"},
                    new String[] {RefreshHistory.FULL, "refresh_history_full"})) {
                String plan = String.join("\n", Rows.multiset(c, "EXPLAIN SELECT id FROM pgtrickle.refresh_history"
                        + " WHERE namespace = 'ns' AND name = 'indexed' AND " + query[0] + " ORDER BY id DESC LIMIT 20"));
                assertTrue(plan.contains(query[1]), plan);
            }
        }
    }
}
