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

/**
 * The FULL refresh that is not chosen for a batch's size (a source truncated and loaded again, the first
 * refresh after a resume) writes only the rows that differ: one MERGE on PostgreSQL 17+, a MERGE and a
 * DELETE over a temporary table before (the suite runs on 15–18).
 */
class FullRefreshIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static StreamTableService service;

    @BeforeAll
    static void schema() {
        service = new StreamTableService(PG.database().asDatabase());
    }

    private static StreamTableKey apply(String name, String query) throws Exception {
        StreamTableKey key = new StreamTableKey("full", name);
        service.apply(new StreamTableDefinition(key, "uid-" + name, new QualifiedName("public", name), query,
                RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L));
        return key;
    }

    /** Storage rows written by a transaction after {@code before} (their xmin is newer). */
    private static long rewritten(Connection c, String table, long before) throws Exception {
        return Rows.count(c, "SELECT count(*) FROM " + table + " WHERE xmin::text::bigint > " + before);
    }

    private static long currentXid(Connection c) throws Exception {
        return Rows.count(c, "SELECT pg_current_xact_id()::text::bigint");
    }

    @Test
    void aSourceTruncatedAndLoadedAgainRewritesOnlyTheRowsThatDiffer() throws Exception {
        PG.database().exec("CREATE TABLE reload (id int PRIMARY KEY, v int NOT NULL, note text)",
                "INSERT INTO reload SELECT i, i, 'n' || i FROM generate_series(1, 2000) i");
        StreamTableKey key = apply("reloaded", "SELECT id, v, note FROM reload WHERE v % 10 <> 3");
        try (Connection c = PG.database().connect()) {
            long before = currentXid(c);
            // the nightly reload: the same rows but 10 changed, 5 gone and 5 new
            PG.database().exec("BEGIN", "TRUNCATE reload",
                    "INSERT INTO reload SELECT i, CASE WHEN i <= 10 THEN -i ELSE i END, 'n' || i"
                            + " FROM generate_series(6, 2005) i", "COMMIT");
            RefreshResult r = service.refresh(key);
            assertEquals("FULL", r.mode());
            assertEquals("a source table was truncated", r.reason());
            assertEquals(Rows.multiset(c, "SELECT id, v, note FROM reload WHERE v % 10 <> 3"),
                    Rows.storage(c, "reloaded"));
            // ids 6..10 changed (5 rows), 2001..2005 are new (4 pass the filter), 1..5 are gone (4 had passed it)
            assertEquals(9, rewritten(c, "reloaded", before));
            assertEquals(9 + 4, r.rows(), "rows written: 5 updated, 4 inserted, 4 deleted");
        }
        PG.database().exec("UPDATE reload SET v = v + 1 WHERE id = 100");
        assertEquals("DIFFERENTIAL", service.refresh(key).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, v, note FROM reload WHERE v % 10 <> 3"),
                    Rows.storage(c, "reloaded"));
        }
    }

    @Test
    void anAggregateRecomputedInFullRewritesOnlyTheGroupsThatChanged() throws Exception {
        // small storage: the query is computed into a temporary table first, then merged
        PG.database().exec("CREATE TABLE sales (id int PRIMARY KEY, region int NOT NULL, amount numeric NOT NULL)",
                "INSERT INTO sales SELECT i, i % 40, i FROM generate_series(1, 4000) i");
        String query = "SELECT region, count(*) AS n, sum(amount) AS total, avg(amount) AS mean FROM sales"
                + " GROUP BY region HAVING count(*) > 1";
        StreamTableKey key = apply("by_region", query);
        try (Connection c = PG.database().connect()) {
            long before = currentXid(c);
            // reloaded: region 1 gains a row, region 2 loses one, region 3 loses all but one (fails HAVING)
            PG.database().exec("BEGIN", "CREATE TEMP TABLE keep ON COMMIT DROP AS SELECT * FROM sales",
                    "TRUNCATE sales", "INSERT INTO sales SELECT * FROM keep WHERE id <> 42 AND (region <> 3 OR id = 3)",
                    "INSERT INTO sales VALUES (5001, 1, 7)", "COMMIT");
            assertEquals("FULL", service.refresh(key).mode());
            assertEquals(Rows.multiset(c, query), Rows.multiset(c, "SELECT region, n, total, mean FROM by_region"));
            assertEquals(2, rewritten(c, "by_region", before));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM by_region WHERE region = 3"));
        }
    }

    @Test
    void columnsWithoutEqualityAreComparedAsText() throws Exception {
        PG.database().exec("CREATE TABLE docs (id int PRIMARY KEY, body json NOT NULL, at point, tags xml)",
                "INSERT INTO docs SELECT i, json_build_object('i', i), point(i, i), xmlelement(name t, i)"
                        + " FROM generate_series(1, 300) i");
        StreamTableKey key = apply("docs_copy", "SELECT id, body, at, tags FROM docs");
        String read = "SELECT id, body::text, at::text, tags::text FROM ";
        try (Connection c = PG.database().connect()) {
            long before = currentXid(c);
            PG.database().exec("BEGIN", "CREATE TEMP TABLE keep ON COMMIT DROP AS SELECT * FROM docs",
                    "TRUNCATE docs", "INSERT INTO docs SELECT * FROM keep",
                    "UPDATE docs SET body = '{\"i\": \"changed\"}' WHERE id = 1",
                    "UPDATE docs SET at = point(0, 0) WHERE id = 2",
                    "UPDATE docs SET tags = xmlelement(name u, 3) WHERE id = 3", "COMMIT");
            assertEquals("FULL", service.refresh(key).mode());
            assertEquals(Rows.multiset(c, read + "docs"), Rows.multiset(c, read + "docs_copy"));
            assertEquals(3, rewritten(c, "docs_copy", before));
        }
    }

    @Test
    void aStreamTableReadingAReconciledOneSeesOnlyTheRowsThatChanged() throws Exception {
        PG.database().exec("CREATE TABLE items (id int PRIMARY KEY, grp int NOT NULL, v int NOT NULL)",
                "INSERT INTO items SELECT i, i % 50, i FROM generate_series(1, 3000) i");
        StreamTableKey up = apply("items_up", "SELECT id, grp, v FROM items");
        StreamTableKey down = apply("items_down", "SELECT grp, sum(v) AS total, count(*) AS n FROM items_up GROUP BY grp");
        PG.database().exec("BEGIN", "CREATE TEMP TABLE keep ON COMMIT DROP AS SELECT * FROM items", "TRUNCATE items",
                "INSERT INTO items SELECT id, grp, CASE WHEN id <= 20 THEN v * 2 ELSE v END FROM keep", "COMMIT");
        assertEquals("FULL", service.refresh(up).mode());
        RefreshResult d = service.refresh(down);
        // The upstream wrote 20 rows and the downstream applies them. Deleting and loading, it wrote all 3,000
        // twice, a batch far beyond the ratio, and the downstream recomputed in full too.
        assertEquals("DIFFERENTIAL", d.mode(), String.valueOf(d.reason()));
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT grp, sum(v) AS total, count(*) AS n FROM items GROUP BY grp"),
                    Rows.storage(c, "items_down"));
        }
    }
}
