package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.catalog.RefreshHistory;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.db.InvalidQueryException;
import io.pgtrickle.operator.db.PooledDatabase;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.refresh.RefreshFailedException;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamTableServiceIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static StreamTableService service;

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE SCHEMA analytics",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, amount numeric(12,2), status text)",
                "INSERT INTO orders SELECT g, g % 10, g * 1.5, CASE WHEN g % 3 = 0 THEN 'open' ELSE 'done' END"
                        + " FROM generate_series(1, 200) g");
        service = new StreamTableService(PG.database().asDatabase());
    }

    private static StreamTableDefinition def(String name, String table, String query) {
        return new StreamTableDefinition(new StreamTableKey("default", name), "uid-" + name,
                QualifiedName.parse(table), query, RefreshMode.AUTO, "1m", false, ReclaimPolicy.Delete, 1L);
    }

    private static final String TOTALS = "SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id";

    @Test
    void applyCreatesAndLoadsStorageWithTheQueryColumns() throws Exception {
        ApplyResult r = service.apply(def("totals", "analytics.totals", TOTALS));
        assertTrue(r.rebuilt());
        assertEquals("DIFFERENTIAL", r.record().effectiveMode());
        assertTrue(r.record().ready());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, TOTALS), Rows.storage(c, "analytics.totals"));
            assertEquals(List.of("customer_id|integer", "n|bigint", "total|numeric"), Rows.multiset(c,
                    "SELECT column_name || '|' || data_type FROM information_schema.columns"
                            + " WHERE table_schema = 'analytics' AND table_name = 'totals'"
                            + " AND column_name NOT LIKE '\\_\\_pgt%'"));
        }
    }

    @Test
    void refreshMakesStorageEqualToTheQueryAgain() throws Exception {
        StreamTableDefinition d = def("open_orders", "open_orders", "SELECT id, amount FROM orders WHERE status = 'open'");
        service.apply(new StreamTableDefinition(d.key(), d.uid(), d.table(), d.query(), RefreshMode.DIFFERENTIAL,
                d.schedule(), false, ReclaimPolicy.Delete, 1L));
        PG.database().exec("UPDATE orders SET status = 'open' WHERE id BETWEEN 1 AND 20",
                "DELETE FROM orders WHERE id > 190", "INSERT INTO orders VALUES (1000, 1, 5, 'open')");
        RefreshResult r = service.refresh(new StreamTableKey("default", "open_orders"));
        try (Connection c = PG.database().connect()) {
            List<String> expected = Rows.multiset(c, "SELECT id, amount FROM orders WHERE status = 'open'");
            assertEquals(expected, Rows.storage(c, "open_orders"));
            assertEquals("DIFFERENTIAL", r.mode());
            assertTrue(r.rows() > 0 && r.rows() < expected.size(), "only changed rows are written: " + r.rows());
            // the catalog counts the MERGE's rows from the transaction's statistics, in the same round trip
            assertEquals(List.of(r.rows() + "|DIFFERENTIAL"), Rows.multiset(c, "SELECT last_refresh_rows || '|' ||"
                    + " last_refresh_mode FROM pgtrickle.stream_tables WHERE name = 'open_orders'"));
            assertEquals(List.of(r.rows() + "|DIFFERENTIAL"), Rows.multiset(c, "SELECT rows || '|' || mode"
                    + " FROM pgtrickle.refresh_history WHERE name = 'open_orders' ORDER BY id DESC LIMIT 1"));
        }
    }

    @Test
    void catalogRowsOfStreamTablesStayOnTheirPagesAcrossManyRefreshes() throws Exception {
        // the benchmark's stream tables (rows of 0.9 to 1.6 KB, the generated SQL is in them), and as many
        // again that are not refreshed, so that pages are full of live rows
        PG.database().exec("CREATE TABLE src (id bigint PRIMARY KEY, grp int NOT NULL, val numeric NOT NULL,"
                        + " flag boolean NOT NULL, txt text NOT NULL)",
                "INSERT INTO src SELECT i, i % 10, i, i % 2 = 0, md5(i::text) FROM generate_series(1, 100) i",
                "CREATE TABLE dim (grp int PRIMARY KEY, name text NOT NULL, region text NOT NULL)",
                "INSERT INTO dim SELECT g, 'name' || g, 'r' || g % 3 FROM generate_series(0, 9) g");
        List<String> queries = List.of("SELECT id, grp, val, txt FROM src", "SELECT id, val FROM src WHERE flag",
                "SELECT grp, count(*) AS n, sum(val) AS total FROM src GROUP BY grp",
                "SELECT s.id, s.val, d.name FROM src s JOIN dim d ON d.grp = s.grp",
                "SELECT d.region, count(*) AS n, sum(s.val) AS total FROM src s JOIN dim d ON d.grp = s.grp"
                        + " GROUP BY d.region");
        List<StreamTableKey> keys = new ArrayList<>();
        for (int i = 0; i < 2 * queries.size(); i++) {
            service.apply(def("often" + i, "often" + i, queries.get(i % queries.size())));
            keys.add(new StreamTableKey("default", "often" + i));
        }
        String pages = "SELECT pg_relation_size('pgtrickle.stream_tables') / 8192";
        try (Connection c = PG.database().connect()) {
            long before = Rows.count(c, pages);
            for (int i = 0; i < 500; i++) {
                service.refresh(keys.get(i % 5)); // each one rewrites the row: frontier, last refresh
            }
            // at PostgreSQL's default fillfactor, rows moved to new pages (4 -> 7 pages here; 2 -> 380 over the benchmark's 3,000)
            assertTrue(Rows.count(c, pages) <= before, before + " -> " + Rows.count(c, pages) + " pages");
        }
    }

    @Test
    void housekeepingAfterARefreshPrunesTheHistoryAndDeleteForgetsIt() throws Exception {
        service.apply(def("pruned", "pruned", "SELECT id FROM orders WHERE status = 'done' AND id < 20"));
        StreamTableKey key = new StreamTableKey("default", "pruned");
        PG.database().exec("INSERT INTO pgtrickle.refresh_history (namespace, name, started_at, duration_ms, mode, rows,"
                + " changes, ok) SELECT 'default', 'pruned', now(), 1, 'DIFFERENTIAL', 0, 0, true FROM generate_series(1, 1500)");
        String count = "SELECT count(*) FROM pgtrickle.refresh_history WHERE name = 'pruned'";
        try (Connection c = PG.database().connect()) {
            service.cleanupAfter(service.refresh(key));
            assertEquals(RefreshHistory.KEPT_ROWS, Rows.count(c, count + " AND mode = 'DIFFERENTIAL'"));
            assertEquals(1, Rows.count(c, count + " AND " + RefreshHistory.FULL), "the initial load, which AUTO learns from");

            service.delete(key, "uid-pruned", ReclaimPolicy.Delete);
            assertEquals(0, Rows.count(c, count), "a new stream table of the same name must not learn from it");
        }
    }

    @Test
    void aStreamTableThatFailsAtEveryRefreshStillHasItsHistoryPruned() throws Exception {
        PG.database().exec("CREATE TABLE doomed_src (id int PRIMARY KEY)");
        StreamTableDefinition d = def("doomed", "doomed", "SELECT id FROM doomed_src");
        StreamTableKey key = d.key();
        service.apply(new StreamTableDefinition(key, d.uid(), d.table(), d.query(), RefreshMode.FULL, d.schedule(),
                false, ReclaimPolicy.Delete, 1L));
        // its stored FULL query names the table: every refresh from now on that has a change to recompute fails
        PG.database().exec("ALTER TABLE doomed_src RENAME TO doomed_gone", "INSERT INTO doomed_gone VALUES (1)",
                "INSERT INTO pgtrickle.refresh_history (namespace, name, started_at, duration_ms, mode, ok, error)"
                        + " SELECT 'default', 'doomed', now(), 1, 'REFRESH', false, 'earlier failure'"
                        + " FROM generate_series(1, 1500)");
        assertThrows(RefreshFailedException.class, () -> service.refresh(key));
        try (Connection c = PG.database().connect()) {
            assertEquals(RefreshHistory.KEPT_ROWS, Rows.count(c,
                    "SELECT count(*) FROM pgtrickle.refresh_history WHERE name = 'doomed' AND NOT ok"));
        }
    }

    @Test
    void aStreamTableOverAMaterializedViewRefreshes() throws Exception {
        // LOCK TABLE, which a refresh takes on its sources first, refuses materialized views and foreign tables
        PG.database().exec("CREATE MATERIALIZED VIEW order_counts AS SELECT status, count(*) AS n FROM orders GROUP BY status");
        service.apply(def("over_mv", "over_mv", "SELECT status, n FROM order_counts WHERE n > 0"));
        for (int i = 0; i < 2; i++) {
            PG.database().exec("INSERT INTO orders VALUES (" + (5000 + i) + ", 1, 1, 'new')",
                    "REFRESH MATERIALIZED VIEW order_counts");
            service.refresh(new StreamTableKey("default", "over_mv"));
            try (Connection c = PG.database().connect()) {
                assertEquals(Rows.multiset(c, "SELECT status, n FROM order_counts WHERE n > 0"), Rows.storage(c, "over_mv"));
            }
        }
    }

    @Test
    void aRefreshThatLosesItsPooledConnectionRunsAgainOnANewOne() throws Exception {
        try (PooledDatabase pool = new PooledDatabase(PG.database().asDatabase(), 2)) {
            StreamTableService pooled = new StreamTableService(pool);
            pooled.apply(def("open_amounts", "open_amounts", "SELECT id, amount FROM orders WHERE status = 'open'"));
            StreamTableKey key = new StreamTableKey("default", "open_amounts");
            pooled.refresh(key);
            // a switchover or restart: every session of the database ends, the pooled one included
            PG.database().exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
            PG.database().exec("UPDATE orders SET amount = amount + 1 WHERE id = 3");
            assertEquals("DIFFERENTIAL", pooled.refresh(key).mode());
            try (Connection c = PG.database().connect()) {
                assertEquals(Rows.multiset(c, "SELECT id, amount FROM orders WHERE status = 'open'"),
                        Rows.storage(c, "open_amounts"));
                assertEquals(List.of("0"), Rows.multiset(c,
                        "SELECT consecutive_errors FROM pgtrickle.stream_tables WHERE name = 'open_amounts'"));
            }
        }
    }

    @Test
    void aSnapshotTakenBeforeAFullRefreshStillSeesTheOldRowsAfterItCommits() throws Exception {
        // large enough for the FULL refresh that rebuilds the key, and one small enough to go through a temp table
        PG.database().exec("CREATE TABLE big (id int PRIMARY KEY, v int NOT NULL)",
                "INSERT INTO big SELECT g, 1 FROM generate_series(1, 20000) g", "ANALYZE big");
        service.apply(def("big_copy", "big_copy", "SELECT id, v FROM big"));
        service.apply(def("big_sum", "big_sum", "SELECT v, count(*) AS n FROM big GROUP BY v"));
        PG.database().exec("ANALYZE big_copy");
        try (Connection reader = PG.database().connect(); Statement r = reader.createStatement()) {
            reader.setAutoCommit(false);
            r.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            r.execute("SELECT 1"); // the snapshot (a report, pg_dump), before the stream tables are read

            // a truncated source: the next refreshes recompute in FULL
            PG.database().exec("TRUNCATE big", "INSERT INTO big SELECT g, 2 FROM generate_series(1, 20000) g");
            for (String name : List.of("big_copy", "big_sum")) {
                assertEquals("FULL", service.refresh(new StreamTableKey("default", name)).mode());
            }

            // TRUNCATE would have shown both empty to this snapshot
            assertEquals(List.of("20000|20000"), Rows.multiset(reader, "SELECT count(*) || '|' || sum(v) FROM big_copy"));
            assertEquals(List.of("1|20000"), Rows.multiset(reader, "SELECT v || '|' || n FROM big_sum"));
            r.execute("SET LOCAL enable_seqscan = off"); // through the key rebuilt by the refresh, too
            assertEquals(List.of("1"), Rows.multiset(reader, "SELECT v FROM big_copy WHERE __pgt_row_id = 7"));
            reader.commit();
        }
        try (Connection c = PG.database().connect()) {
            assertEquals(List.of("20000|40000"), Rows.multiset(c, "SELECT count(*) || '|' || sum(v) FROM big_copy"));
            assertEquals(List.of("2|20000"), Rows.multiset(c, "SELECT v || '|' || n FROM big_sum"));
        }
    }

    @Test
    void onlyRefreshesWriteTheStorageTableUntilItIsRetainedOnDelete() throws Exception {
        service.apply(def("guarded", "guarded", "SELECT id, amount FROM orders WHERE status = 'done'"));
        for (String write : List.of("INSERT INTO guarded (id, amount, __pgt_row_id) VALUES (-1, 0, -1)",
                "UPDATE guarded SET amount = 0", "DELETE FROM guarded", "TRUNCATE guarded")) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> PG.database().exec(write));
            assertTrue(refused.getMessage().contains("storage of a pg-trickle stream table"), refused.getMessage());
        }
        // refreshes, FULL ones included, are not refused
        PG.database().exec("UPDATE orders SET amount = amount + 2 WHERE id IN (2, 5)");
        assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("default", "guarded")).mode());
        service.apply(new StreamTableDefinition(new StreamTableKey("default", "guarded"), "uid-guarded",
                QualifiedName.parse("guarded"), "SELECT id, amount FROM orders WHERE status = 'done'", RefreshMode.FULL,
                "1m", false, ReclaimPolicy.Retain, 1L));
        assertEquals("FULL", service.refresh(new StreamTableKey("default", "guarded")).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, amount FROM orders WHERE status = 'done'"),
                    Rows.storage(c, "guarded"));
            // a repair by hand says so explicitly
            c.setAutoCommit(false);
            c.createStatement().execute("SET LOCAL pgtrickle.maintaining = on");
            c.createStatement().execute("DELETE FROM guarded WHERE id = 1");
            c.rollback();
        }
        // retained on delete: the table is the user's, writable
        service.delete(new StreamTableKey("default", "guarded"), "uid-guarded", ReclaimPolicy.Retain);
        PG.database().exec("INSERT INTO guarded (id, amount) VALUES (-1, 0)", "DROP TABLE guarded");
    }

    @Test
    void reapplyingTheSameSpecDoesNotRebuild() throws Exception {
        service.apply(def("same", "same_t", "SELECT id FROM orders"));
        List<String> catalogRows;
        String rowVersions = "SELECT xmin::text FROM pg_proc WHERE oid = 'pgtrickle.guard_storage()'::regprocedure"
                + " UNION ALL SELECT xmin::text FROM pg_trigger WHERE tgrelid = 'same_t'::regclass AND tgname = 'pgt_guard'";
        try (Connection c = PG.database().connect()) {
            catalogRows = Rows.multiset(c, rowVersions);
        }
        assertFalse(service.apply(def("same", "same_t", "SELECT id FROM orders")).rebuilt());
        try (Connection c = PG.database().connect()) {
            assertEquals(catalogRows, Rows.multiset(c, rowVersions), "the periodic re-apply rewrites no catalog rows");
        }
        assertTrue(service.apply(def("same", "same_t", "SELECT id, status FROM orders")).rebuilt());
    }

    @Test
    void aChangedQueryWithTheSameColumnsRecomputesTheTableInPlace() throws Exception {
        String before = "SELECT id, amount FROM orders WHERE amount > 30";
        String after = "SELECT id, amount FROM orders WHERE amount > 150";
        service.apply(def("narrowed", "narrowed", before));
        PG.database().exec("CREATE VIEW narrowed_report AS SELECT count(*) AS n FROM narrowed");
        try (Connection c = PG.database().connect(); Connection reader = PG.database().connect();
             Statement r = reader.createStatement()) {
            long oid = Rows.count(c, "SELECT 'narrowed'::regclass::oid::bigint");
            long kept = Rows.count(c, "SELECT count(*) FROM narrowed WHERE amount > 150");
            long xid = Rows.count(c, "SELECT pg_current_xact_id()::text::bigint");
            long seenBefore = Rows.count(c, "SELECT count(*) FROM narrowed");
            // a report's snapshot, taken before the apply; it reads the stream table only after the apply
            reader.setAutoCommit(false);
            r.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            Rows.count(reader, "SELECT count(*) FROM orders");

            ApplyResult applied = service.apply(def("narrowed", "narrowed", after));
            assertTrue(applied.rebuilt() && applied.inPlace());
            assertEquals(oid, Rows.count(c, "SELECT 'narrowed'::regclass::oid::bigint"), "the same table");
            assertEquals(Rows.multiset(c, after), Rows.storage(c, "narrowed"));
            assertEquals(kept, Rows.count(c, "SELECT n FROM narrowed_report"), "the view on it survives");
            // it still reads the old rows (a recreated table's rows are invisible to it: it would read none)
            assertEquals(seenBefore, Rows.count(reader, "SELECT count(*) FROM narrowed"));
            reader.rollback();
            // only deletes: the rows that still qualify were not rewritten
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM narrowed WHERE xmin::text::bigint > " + xid));
        }
        PG.database().exec("UPDATE orders SET amount = amount + 1000 WHERE id = 3");
        assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("default", "narrowed")).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, after), Rows.storage(c, "narrowed"));
        }
        // other columns: the table is recreated (the view on it has to go first, as PostgreSQL requires)
        PG.database().exec("DROP VIEW narrowed_report");
        ApplyResult wider = service.apply(def("narrowed", "narrowed", "SELECT id, amount, status FROM orders"));
        assertTrue(wider.rebuilt() && !wider.inPlace());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, amount, status FROM orders"), Rows.storage(c, "narrowed"));
        }
    }

    @Test
    void invalidQueryLeavesNothingBehind() throws Exception {
        assertThrows(InvalidQueryException.class,
                () -> service.apply(def("bad", "bad_t", "SELECT nope FROM orders")));
        assertTrue(service.find(new StreamTableKey("default", "bad")).isEmpty());
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_class WHERE relname = 'bad_t'"));
        }
    }

    @Test
    void secondResourceCannotClaimTheSameTable() throws Exception {
        service.apply(def("owner", "claimed", "SELECT id FROM orders"));
        StreamTableConflictException e = assertThrows(StreamTableConflictException.class,
                () -> service.apply(def("thief", "claimed", "SELECT id FROM orders")));
        assertTrue(e.getMessage().contains("default/owner"), e.getMessage());
    }

    @Test
    void existingUserTableIsNeverTakenOver() {
        PG.database().exec("CREATE TABLE precious (x int)", "INSERT INTO precious VALUES (42)");
        assertThrows(StreamTableConflictException.class,
                () -> service.apply(def("precious", "precious", "SELECT id FROM orders")));
    }

    @Test
    void failedRefreshRollsBackAndIsRecorded() throws Exception {
        PG.database().exec("CREATE TABLE fragile (a int)", "INSERT INTO fragile VALUES (1), (2)");
        service.apply(new StreamTableDefinition(new StreamTableKey("default", "frag"), "uid-frag",
                QualifiedName.parse("frag_st"), "SELECT a FROM fragile", RefreshMode.FULL, "1m", false,
                ReclaimPolicy.Delete, 1L));
        // a change to recompute (without one, the refresh only checks, and the next apply reports the query)
        PG.database().exec("ALTER TABLE fragile RENAME COLUMN a TO b", "INSERT INTO fragile VALUES (3)");
        RefreshFailedException e = assertThrows(RefreshFailedException.class,
                () -> service.refresh(new StreamTableKey("default", "frag")));
        assertTrue(e.getMessage().contains("a does not exist") || e.getMessage().contains("\"a\" does not exist"),
                e.getMessage());
        StreamTableRecord rec = service.find(new StreamTableKey("default", "frag")).orElseThrow();
        assertEquals(1, rec.consecutiveErrors());
        assertFalse(rec.ready());
        try (Connection c = PG.database().connect()) {
            assertEquals(2, Rows.count(c, "SELECT count(*) FROM frag_st"), "old contents kept");
        }
    }

    @Test
    void deleteHonoursReclaimPolicyAndOwnership() throws Exception {
        service.apply(def("gone", "gone_t", "SELECT id FROM orders"));
        service.apply(def("kept", "kept_t", "SELECT id FROM orders"));
        assertEquals(DeleteOutcome.NOTHING_INSTALLED,
                service.delete(new StreamTableKey("default", "gone"), "some-other-uid", ReclaimPolicy.Delete));
        assertEquals(DeleteOutcome.DROPPED,
                service.delete(new StreamTableKey("default", "gone"), "uid-gone", ReclaimPolicy.Delete));
        assertEquals(DeleteOutcome.RETAINED,
                service.delete(new StreamTableKey("default", "kept"), "uid-kept", ReclaimPolicy.Retain));
        assertEquals(DeleteOutcome.NOTHING_INSTALLED,
                service.delete(new StreamTableKey("default", "never"), "uid-never", ReclaimPolicy.Delete));
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_class WHERE relname = 'gone_t'"));
            assertEquals(1, Rows.count(c, "SELECT count(*) FROM pg_class WHERE relname = 'kept_t'"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pgtrickle.stream_tables WHERE name IN ('gone','kept')"));
        }
    }

    @Test
    void streamTableReadingAnotherRecordsTheDependency() throws Exception {
        service.apply(def("base", "base_t", "SELECT id, customer_id FROM orders"));
        service.apply(def("derived", "derived_t", "SELECT customer_id, count(*) AS n FROM base_t GROUP BY 1"));
        assertEquals(List.of(new StreamTableKey("default", "base")),
                service.upstreamOf(new StreamTableKey("default", "derived")));
    }

    @Test
    void aMissingSchemaOfSpecTableIsRefusedUnlessThePolicyAllowsCreatingIt() throws Exception {
        StreamTableDefinition typo = def("typo", "analytcs.totals", TOTALS);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> service.apply(typo));
        assertTrue(e.getMessage().contains("schema analytcs of spec.table"), e.getMessage());
        assertTrue(e.hint().contains("createSchemas"), e.hint());
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'analytcs'"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pgtrickle.stream_tables WHERE name = 'typo'"));
        }
        service.apply(typo.withTuning(new RefreshTuning(0.15, true, RefreshTuning.DEFAULT_STATEMENT_TIMEOUT,
                RefreshTuning.DEFAULT_LOCK_TIMEOUT, true)));
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, TOTALS), Rows.storage(c, "analytcs.totals"));
        }
    }

    @Test
    void aStorageTableInASystemSchemaIsRefusedAsSuch() throws Exception {
        for (String table : List.of("pg_catalog.pg_class", "information_schema.tables", "pgtrickle.stream_tables",
                "pgtrickle_changes.mine", "pg_catalog.brand_new")) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class,
                    () -> service.apply(def("sys", table, TOTALS)), table);
            assertTrue(e.getMessage().contains("system schema"), e.getMessage());
            assertTrue(e.hint().contains("a schema of your own"), e.hint());
        }
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pgtrickle.stream_tables WHERE name = 'sys'"));
        }
    }
}
