package io.pgtrickle.operator.exactness;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classes of query that once broke a stream table's promise to equal its query, each over several
 * shapes: the jsonb {@code ?} operators (taken for JDBC parameters), results with duplicate rows (stored
 * one row per value with a count), correlated and LATERAL sub-queries with aggregates (outer rows lost by
 * decorrelation, or an {@code AssertionError}), and queries whose generated SQL PostgreSQL refused. Each
 * stream table is applied, its sources changed, refreshed, and compared with a plain {@code SELECT} of its
 * columns: the table must read as the query's result, as a multiset.
 */
class ExactnessClassesIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static StreamTableService service;
    private static final AtomicInteger SEQ = new AtomicInteger();

    @BeforeAll
    static void schema() {
        PG.database().exec(
                "CREATE TABLE docs (id int PRIMARY KEY, grp int, body jsonb)",
                "INSERT INTO docs SELECT g, g % 4, jsonb_build_object('k', g % 3, 'tags', jsonb_build_array('a', 'b'))"
                        + " || CASE WHEN g % 5 = 0 THEN '{\"x\": 1}'::jsonb ELSE '{}'::jsonb END"
                        + " FROM generate_series(1, 40) g",
                "CREATE TABLE bag (a int, b text)", // no key: duplicates
                "INSERT INTO bag SELECT g % 3, CASE WHEN g % 4 = 0 THEN NULL ELSE 'v' || (g % 2) END"
                        + " FROM generate_series(1, 30) g",
                "CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL, qty int NOT NULL)",
                "CREATE TABLE child_nullable (id int PRIMARY KEY, parent_id int, qty int)",
                "INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 12) g",
                "INSERT INTO child SELECT g, g % 8 + 1, g FROM generate_series(1, 40) g",
                "INSERT INTO child_nullable SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 8 + 1 END, g"
                        + " FROM generate_series(1, 40) g");
        service = new StreamTableService(PG.database().asDatabase());
    }

    /** Applies {@code query} as a new stream table, checks it, runs {@code dml}, refreshes and checks again. */
    private static StreamTableRecord exactThroughChanges(String query, String... dml) throws Exception {
        return exactThroughChanges(RefreshMode.AUTO, query, dml);
    }

    private static StreamTableRecord exactThroughChanges(RefreshMode mode, String query, String... dml)
            throws Exception {
        int n = SEQ.incrementAndGet();
        String name = "st" + n;
        StreamTableKey key = new StreamTableKey("default", name);
        StreamTableRecord rec = service.apply(new StreamTableDefinition(key, "uid-" + name, QualifiedName.parse(name),
                query, mode, "1m", false, ReclaimPolicy.Delete, 1L)).record();
        assertEqualsQuery(name, query, "after the load");
        // "#" in a statement is this stream table's number: new keys for every case
        PG.database().exec(java.util.Arrays.stream(dml).map(d -> d.replace("#", Integer.toString(n)))
                .toArray(String[]::new));
        service.refresh(key);
        assertEqualsQuery(name, query, "after a refresh");
        return rec;
    }

    private static void assertEqualsQuery(String table, String query, String when) throws Exception {
        try (Connection c = PG.database().connect()) {
            List<String> expected = Rows.multiset(c, query);
            assertEquals(expected, Rows.storage(c, table), query + " " + when);
            // a plain count of the table is the query's row count (duplicates are rows of their own)
            assertEquals(expected.size(), Rows.count(c, "SELECT count(*) FROM " + table), query + " " + when);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT id, body ? 'x' AS has_x FROM docs",
            "SELECT id FROM docs WHERE body ? 'x'",
            "SELECT id, grp FROM docs WHERE body ?| ARRAY['x', 'y'] OR body ?& ARRAY['k', 'tags']",
            "SELECT grp, count(*) FILTER (WHERE body ? 'x') AS n_x, count(*) AS n FROM docs GROUP BY grp",
            "SELECT id, 'what?' AS q, body -> 'tags' ? 'a' AS tagged FROM docs /* why? */ WHERE id > 3",
    })
    void questionMarkOperatorsRefreshExactly(String query) throws Exception {
        StreamTableRecord rec = exactThroughChanges(query,
                "UPDATE docs SET body = body || '{\"x\": 2}' WHERE id % 3 = 0",
                "DELETE FROM docs WHERE id IN (5, 6)",
                "INSERT INTO docs VALUES (1000 + #, 1, '{\"y\": true, \"x\": 0}')");
        assertEquals("DIFFERENTIAL", rec.effectiveMode(), rec.modeReason());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT a, b FROM bag",
            "SELECT a FROM bag WHERE b IS NOT NULL",
            "SELECT grp FROM docs",
            "SELECT a AS v FROM bag UNION ALL SELECT a FROM bag WHERE a > 0",
            "SELECT 1 AS one FROM bag",
            "SELECT b.a, p.name FROM bag b JOIN parent p ON p.id = b.a + 1",
            "SELECT p.name FROM parent p JOIN child c ON c.parent_id = p.id",
    })
    void duplicateRowsAreRowsOfTheirOwn(String query) throws Exception {
        StreamTableRecord rec = exactThroughChanges(query,
                "INSERT INTO bag VALUES (1, 'v1'), (1, 'v1'), (1, 'v1'), (NULL, NULL), (NULL, NULL)",
                "DELETE FROM bag WHERE ctid IN (SELECT ctid FROM bag WHERE a = 2 LIMIT 3)",
                "UPDATE bag SET a = 0 WHERE ctid IN (SELECT ctid FROM bag WHERE a = 1 LIMIT 2)",
                "UPDATE docs SET grp = 1 WHERE id % 5 = 1",
                "INSERT INTO child SELECT 1000 * # + g, 3, g FROM generate_series(1, 4) g");
        assertEquals("DIFFERENTIAL", rec.effectiveMode(), rec.modeReason());
    }

    @Test
    void aStreamTableReadingOneWithDuplicatesSeesEveryCopy() throws Exception {
        service.apply(new StreamTableDefinition(new StreamTableKey("default", "bag_copy"), "uid-bag_copy",
                QualifiedName.parse("bag_copy"), "SELECT a, b FROM bag", RefreshMode.DIFFERENTIAL, "1m", false,
                ReclaimPolicy.Delete, 1L));
        String downstream = "SELECT a, count(*) AS n FROM bag_copy GROUP BY a";
        StreamTableKey down = new StreamTableKey("default", "bag_counts");
        service.apply(new StreamTableDefinition(down, "uid-bag_counts", QualifiedName.parse("bag_counts"), downstream,
                RefreshMode.DIFFERENTIAL, "1m", false, ReclaimPolicy.Delete, 1L));
        PG.database().exec("INSERT INTO bag VALUES (7, 'x'), (7, 'x'), (7, 'x')",
                "DELETE FROM bag WHERE ctid IN (SELECT ctid FROM bag WHERE a = 7 LIMIT 1)");
        service.refresh(new StreamTableKey("default", "bag_copy"));
        service.refresh(down);
        assertEqualsQuery("bag_counts", "SELECT a, count(*) AS n FROM bag GROUP BY a", "downstream");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT p.id, c.n FROM parent p CROSS JOIN LATERAL (SELECT count(*) AS n FROM child c WHERE c.parent_id = p.id) c",
            "SELECT p.id, c.n FROM parent p LEFT JOIN LATERAL (SELECT count(*) AS n FROM child c WHERE c.parent_id = p.id) c ON true",
            "SELECT p.id, c.n, c.s FROM parent p CROSS JOIN LATERAL (SELECT count(qty) AS n, sum(qty) AS s"
                    + " FROM child_nullable c WHERE c.parent_id = p.id) c",
            "SELECT p.id, (SELECT count(*) FROM child c WHERE c.parent_id = p.id) AS n FROM parent p",
            "SELECT p.id, (SELECT coalesce(sum(qty), 0) FROM child_nullable c WHERE c.parent_id = p.id) AS s FROM parent p",
            "SELECT p.id FROM parent p WHERE (SELECT count(*) FROM child c WHERE c.parent_id = p.id) = 0",
            "SELECT p.id, c.top FROM parent p CROSS JOIN LATERAL (SELECT max(qty) AS top FROM child c"
                    + " WHERE c.parent_id = p.id HAVING count(*) > 1) c",
    })
    void correlatedAggregatesKeepOuterRowsWithEmptyGroups(String query) throws Exception {
        // parents 10..12 have no child: their count is 0, not a missing row
        StreamTableRecord rec = exactThroughChanges(query,
                "DELETE FROM child WHERE parent_id = 2",
                "INSERT INTO parent VALUES (1000 + #, 'new')",
                "INSERT INTO child VALUES (1000 * # + 500, 1000 + #, 5)",
                "UPDATE child_nullable SET parent_id = NULL WHERE parent_id = 3");
        assertTrue(rec.effectiveMode().equals("DIFFERENTIAL") || rec.modeReason().contains("PostgreSQL runs"),
                rec.modeReason());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT p.id, EXISTS (SELECT 1 FROM child c WHERE c.parent_id = p.id) AS has_children FROM parent p",
            "SELECT p.id, NOT EXISTS (SELECT 1 FROM child c WHERE c.parent_id = p.id AND c.qty > 30) AS small FROM parent p",
            "SELECT p.id, (SELECT max(qty) FROM child) AS top FROM parent p",
            "SELECT p.id, (SELECT c.qty FROM child c WHERE c.id = p.id) AS q FROM parent p",
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY qty) AS median FROM child",
            "SELECT parent_id, percentile_disc(0.9) WITHIN GROUP (ORDER BY qty) AS p90, mode() WITHIN GROUP"
                    + " (ORDER BY qty % 3) AS m FROM child GROUP BY parent_id",
            "SELECT p.id, p.id IN (SELECT parent_id FROM child_nullable) AS referenced FROM parent p",
            // no equality operator for xml[]: the MERGE PostgreSQL refuses is found at install, not at each refresh
            "SELECT p.id, ARRAY[xmlelement(name n, p.name)] AS tags FROM parent p",
    })
    void queriesWhoseGeneratedSqlPostgresqlRefusedAreApplied(String query) throws Exception {
        StreamTableRecord rec = exactThroughChanges(query,
                "DELETE FROM child WHERE parent_id = 4",
                "INSERT INTO child VALUES (1000 * # + 600, 1, 77)",
                "UPDATE child_nullable SET parent_id = NULL WHERE parent_id = 5");
        assertTrue(rec.ready(), rec.modeReason());
        assertTrue(rec.effectiveMode().equals("DIFFERENTIAL") || rec.modeReason().contains("PostgreSQL runs"),
                rec.modeReason());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT p.id FROM parent p WHERE EXISTS (SELECT 1 FROM child c WHERE c.parent_id = p.id"
                    + " AND EXISTS (SELECT 1 FROM child_nullable n WHERE n.qty = c.qty))",
            "SELECT p.id, (SELECT count(*) FROM child c WHERE c.qty IN (SELECT qty FROM child_nullable)) AS n FROM parent p",
            "SELECT p.id, c.qty FROM parent p JOIN child c ON c.parent_id = p.id"
                    + " AND c.qty > (SELECT coalesce(min(qty), 0) FROM child_nullable)",
            "SELECT c.parent_id, count(*) AS n FROM child c GROUP BY c.parent_id"
                    + " HAVING count(*) > (SELECT count(*) / 100 FROM child_nullable)",
            "SELECT p.id, CASE WHEN EXISTS (SELECT 1 FROM child_nullable n WHERE n.parent_id = p.id) THEN 'y' ELSE 'n' END AS f"
                    + " FROM parent p",
            "WITH n AS (SELECT parent_id FROM child_nullable WHERE qty > 2) SELECT p.id FROM parent p"
                    + " WHERE p.id IN (SELECT parent_id FROM n)",
            "SELECT EXISTS (SELECT 1 FROM child c WHERE EXISTS (SELECT 1 FROM child_nullable n"
                    + " WHERE n.parent_id = c.parent_id AND n.qty > 30)) AS any_big",
            "SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM child c WHERE EXISTS (SELECT 1 FROM child_nullable n"
                    + " WHERE n.qty = c.qty AND n.qty > 35))",
            "SELECT count(*) AS n FROM parent p WHERE EXISTS (SELECT 1 FROM child c WHERE c.parent_id = p.id"
                    + " AND EXISTS (SELECT 1 FROM child_nullable n WHERE n.parent_id = c.parent_id AND n.qty > 20))",
            "SELECT (SELECT count(*) FROM child_nullable) AS n",
    })
    void aFullStreamTableSeesAChangeToATableReadOnlyDeepInside(String query) throws Exception {
        // child_nullable is read only inside a nested sub-query: deleting from it must make the refresh recompute
        for (RefreshMode mode : List.of(RefreshMode.FULL, RefreshMode.AUTO)) {
            exactThroughChanges(mode, query,
                    "DELETE FROM child_nullable WHERE id % 3 = 0",
                    "UPDATE child_nullable SET qty = qty + 100 WHERE id % 5 = 0");
        }
    }
}
