package io.pgtrickle.operator.refresh;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.ApplyResult;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream table maintained in FULL recomputes only when a source changed since its last refresh (its
 * sources are captured, and the batch between frontiers says so); one whose result can change on its own
 * recomputes at every refresh.
 */
class UnchangedFullRefreshIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final String RANKED = "SELECT id, rank() OVER (PARTITION BY g ORDER BY v) AS r FROM w";

    private static StreamTableService service;

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE w (id int PRIMARY KEY, g int, v int)",
                "INSERT INTO w SELECT i, i % 7, (i * 37) % 101 FROM generate_series(1, 1000) i",
                "CREATE TABLE other (id int PRIMARY KEY, v int)", "INSERT INTO other VALUES (1, 1)");
        service = new StreamTableService(PG.database().asDatabase());
    }

    private static StreamTableKey apply(String name, String query, RefreshMode mode) throws Exception {
        StreamTableKey key = new StreamTableKey("unchanged", name);
        service.apply(new StreamTableDefinition(key, "uid-" + name, new QualifiedName("public", name), query, mode,
                "1m", false, ReclaimPolicy.Delete, 1L));
        return key;
    }

    private static ApplyResult applyAgain(String name, String query) throws Exception {
        return service.apply(new StreamTableDefinition(new StreamTableKey("unchanged", name), "uid-" + name,
                new QualifiedName("public", name), query, RefreshMode.AUTO, "1m", false, ReclaimPolicy.Delete, 1L));
    }

    private static void assertExact(String query, String table) throws Exception {
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, query), Rows.storage(c, table));
        }
    }

    /** The transaction ids that wrote the rows: unchanged when no row was rewritten. */
    private static String writers(String table) throws Exception {
        try (Connection c = PG.database().connect()) {
            return Rows.multiset(c, "SELECT xmin::text, count(*) FROM " + table + " GROUP BY 1").toString();
        }
    }

    @Test
    void aFullStreamTableIsRecomputedOnlyAfterAChangeToItsSources() throws Exception {
        // its own source, so that the capture removed with it below is no other test's
        PG.database().exec("CREATE TABLE solo (id int PRIMARY KEY, g int, v int)", "INSERT INTO solo SELECT * FROM w");
        String ranked = RANKED.replace("FROM w", "FROM solo");
        StreamTableKey key = apply("ranked", ranked, RefreshMode.AUTO);
        assertEquals("FULL", service.find(key).orElseThrow().effectiveMode());
        assertTrue(service.find(key).orElseThrow().modeReason().endsWith("recomputes only after a change to its sources"));
        String loaded = writers("ranked");

        PG.database().exec("UPDATE other SET v = v + 1", "UPDATE w SET v = v + 1 WHERE id = 1"); // not sources
        RefreshResult idle = service.refresh(key);
        assertEquals("FULL", idle.mode());
        assertEquals(RefreshTransaction.UNCHANGED, idle.reason());
        assertEquals(0, idle.rows());
        assertEquals(loaded, writers("ranked"), "no row rewritten");

        PG.database().exec("UPDATE solo SET v = v + 500 WHERE id = 7");
        RefreshResult changed = service.refresh(key);
        assertNull(changed.reason());
        assertEquals(1000, changed.rows());
        assertExact(ranked, "ranked");

        service.delete(key, "uid-ranked", ReclaimPolicy.Delete);
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'solo'::regclass"
                    + " AND tgname LIKE 'pgt_capture%'"), "its capture goes with the last stream table reading solo");
        }
    }

    @Test
    void aTransactionOpenAcrossARefreshIsSeenByTheNextOne() throws Exception {
        StreamTableKey key = apply("late", "SELECT g, v FROM w WHERE v > 50", RefreshMode.FULL);
        try (Connection writer = PG.database().connect(); Statement s = writer.createStatement()) {
            writer.setAutoCommit(false);
            s.executeUpdate("UPDATE w SET v = 100 - v WHERE id BETWEEN 1 AND 40");
            // uncommitted: this refresh sees no change, and its frontier lists the writer as in progress
            assertEquals(RefreshTransaction.UNCHANGED, service.refresh(key).reason());
            writer.commit();
        }
        RefreshResult after = service.refresh(key);
        assertNull(after.reason(), "the late commit is a change since that frontier");
        assertExact("SELECT g, v FROM w WHERE v > 50", "late");
        assertEquals(RefreshTransaction.UNCHANGED, service.refresh(key).reason());
    }

    @Test
    void aQueryWhoseResultChangesOnItsOwnIsRecomputedByEveryRefresh() throws Exception {
        // now() is STABLE (clock_timestamp(), VOLATILE, is refused): the same within a refresh, another at the next
        String query = "SELECT id, v FROM w WHERE v > extract(second FROM now()) - 100";
        StreamTableKey key = apply("clocked", query, RefreshMode.FULL);
        assertTrue(service.explain(new StreamTableDefinition(key, "uid-clocked", new QualifiedName("public", "clocked"),
                query, RefreshMode.FULL, "1m", false, ReclaimPolicy.Delete, 1L)).sources().isEmpty(),
                "nothing is captured for it");
        assertTrue(service.find(key).orElseThrow().modeReason().contains("every refresh recomputes"));
        for (int i = 0; i < 2; i++) {
            RefreshResult r = service.refresh(key);
            assertNull(r.reason());
            assertEquals(1000, r.rows());
        }
    }

    @Test
    void aFullStreamTableOverARecreatedStreamTableRecomputesUntilAppliedAgain() throws Exception {
        apply("up", "SELECT g, sum(v) AS total FROM w GROUP BY g", RefreshMode.AUTO);
        String ranked = "SELECT g, rank() OVER (ORDER BY total) AS r FROM up";
        StreamTableKey down = apply("down", ranked, RefreshMode.AUTO);
        assertEquals(RefreshTransaction.UNCHANGED, service.refresh(down).reason());
        // other columns: the upstream table is dropped and created again, its capture with it
        apply("up", "SELECT g, sum(v)::numeric * -1 AS total FROM w GROUP BY g", RefreshMode.AUTO);
        RefreshResult r = service.refresh(down);
        assertNull(r.reason(), "the new table's rows are not in the old table's buffer: recomputed");
        assertTrue(service.find(down).orElseThrow().modeReason().contains("public.up was recreated"));
        assertExact(ranked, "down");
        assertFalse(applyAgain("down", ranked).rebuilt(), "captures the new table, keeps its own");
        assertNull(service.refresh(down).reason(), "the first refresh after it recomputes");
        assertEquals(RefreshTransaction.UNCHANGED, service.refresh(down).reason());
        PG.database().exec("UPDATE w SET v = v + 1 WHERE id = 3");
        service.refresh(new StreamTableKey("unchanged", "up"));
        assertNull(service.refresh(down).reason());
        assertExact(ranked, "down");
    }

    @Test
    void aFullStreamTableInstalledBeforeItsSourcesWereCapturedKeepsItsTable() throws Exception {
        StreamTableKey key = apply("older", RANKED, RefreshMode.AUTO);
        // as installed by a version that did not capture the sources of FULL stream tables
        PG.database().exec("UPDATE pgtrickle.stream_tables SET source_oids = '{}' WHERE name = 'older'");
        PG.database().exec("UPDATE w SET v = v + 7 WHERE id = 11");
        assertNull(service.refresh(key).reason(), "without capture: recomputed");
        String oid = oid("older");
        ApplyResult again = applyAgain("older", RANKED);
        assertFalse(again.rebuilt());
        assertEquals(oid, oid("older"), "the same table");
        PG.database().exec("UPDATE w SET v = v + 7 WHERE id = 12");
        assertNull(service.refresh(key).reason(), "the first refresh after capture recomputes");
        assertExact(RANKED, "older");
        assertEquals(RefreshTransaction.UNCHANGED, service.refresh(key).reason());
    }

    private static String oid(String table) throws Exception {
        try (Connection c = PG.database().connect()) {
            return Rows.multiset(c, "SELECT '" + table + "'::regclass::oid").toString();
        }
    }

    @Test
    void aFunctionThatMayReadOtherTablesMakesEveryRefreshRecompute() throws Exception {
        PG.database().exec("CREATE TABLE price (id int PRIMARY KEY, p int)",
                "INSERT INTO price SELECT i, i FROM generate_series(1, 5) i",
                "CREATE FUNCTION price_of(i int) RETURNS int LANGUAGE sql STABLE AS 'SELECT p FROM price WHERE id = i'",
                "CREATE FUNCTION twice(i int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2 * i'");
        String priced = "SELECT id, v * price_of(id) AS total FROM w WHERE id <= 5";
        StreamTableKey key = apply("priced", priced, RefreshMode.AUTO);
        assertEquals("FULL", service.find(key).orElseThrow().effectiveMode());
        assertTrue(service.find(key).orElseThrow().modeReason().contains("price_of() is not IMMUTABLE"));
        PG.database().exec("UPDATE price SET p = 1000 WHERE id = 1"); // not a table the query names
        assertNull(service.refresh(key).reason(), "recomputed: price_of() reads price");
        assertExact(priced, "priced");

        StreamTableKey doubled = apply("doubled", "SELECT id, twice(v) AS d FROM w WHERE id <= 5", RefreshMode.AUTO);
        assertEquals("DIFFERENTIAL", service.find(doubled).orElseThrow().effectiveMode(), "IMMUTABLE: maintained");

        // named with its schema, off the search path: the same
        PG.database().exec("CREATE SCHEMA util", "CREATE FUNCTION util.rate(i int) RETURNS int LANGUAGE sql STABLE"
                + " AS 'SELECT p FROM price WHERE id = i'");
        StreamTableKey rated = apply("rated", "SELECT id, util.rate(id) AS r FROM w WHERE id <= 5", RefreshMode.AUTO);
        assertTrue(service.find(rated).orElseThrow().modeReason().contains("rate() is not IMMUTABLE"),
                service.find(rated).orElseThrow().modeReason());

        // a STABLE built-in the planner does not know: DIFFERENTIAL takes it as before, a FULL one recomputes
        StreamTableKey setting = apply("setting", "SELECT id, rank() OVER (ORDER BY v) AS r,"
                + " current_setting('search_path') AS sp FROM w WHERE id <= 3", RefreshMode.AUTO);
        assertTrue(service.find(setting).orElseThrow().modeReason().contains("every refresh recomputes"));
    }

    @Test
    void aUserFunctionOrAggregateThatMayReadOtherTablesIsNotTrustedUnderAnyName() throws Exception {
        // year() is a built-in for the planner but not for PostgreSQL, which calls this one; an aggregate is
        // IMMUTABLE in pg_proc whatever its transition function reads
        PG.database().exec("CREATE TABLE shift (n int)", "INSERT INTO shift VALUES (0)",
                "CREATE TABLE dated (id int PRIMARY KEY, d date, v int)",
                "INSERT INTO dated SELECT i, date '2024-01-01' + i, i FROM generate_series(1, 5) i",
                "CREATE FUNCTION year(d date) RETURNS int LANGUAGE sql STABLE"
                        + " AS 'SELECT extract(year FROM d)::int + (SELECT n FROM shift)'",
                "CREATE FUNCTION plus_shift(s int, v int) RETURNS int LANGUAGE sql STABLE"
                        + " AS 'SELECT coalesce(s, 0) + v + (SELECT n FROM shift)'",
                "CREATE AGGREGATE shifted_sum(int) (SFUNC = plus_shift, STYPE = int)");
        String years = "SELECT id, year(d) AS y FROM dated";
        String summed = "SELECT shifted_sum(v) AS s FROM dated";
        StreamTableKey y = apply("years", years, RefreshMode.AUTO);
        StreamTableKey a = apply("summed", summed, RefreshMode.FULL);
        assertEquals("FULL", service.find(y).orElseThrow().effectiveMode());
        assertTrue(service.find(y).orElseThrow().modeReason().contains("year() is also a function of this database"));
        assertTrue(service.find(a).orElseThrow().modeReason().contains("every refresh recomputes"));
        PG.database().exec("UPDATE shift SET n = 10"); // no table either query names
        assertNull(service.refresh(y).reason());
        assertNull(service.refresh(a).reason());
        assertExact(years, "years");
        assertExact(summed, "summed");
    }

    @Test
    void aTypeChangeOfAColumnTheQueryReadsIsRefusedWhileItIsCaptured() throws Exception {
        PG.database().exec("CREATE TABLE typed (id int PRIMARY KEY, g int, v int, note text)",
                "INSERT INTO typed SELECT i, i % 3, i, 'x' FROM generate_series(1, 30) i");
        String ranked = "SELECT id, rank() OVER (PARTITION BY g ORDER BY v) AS r FROM typed";
        StreamTableKey key = apply("typed_rank", ranked, RefreshMode.AUTO);
        // rewriting v's values without a trigger firing would leave the stream table stale: refused, as for
        // DIFFERENTIAL; a column the query does not read stays free
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> PG.database().exec("ALTER TABLE typed ALTER COLUMN v TYPE bigint USING (100 - v)"));
        assertTrue(refused.getMessage().contains("v"), refused.getMessage());
        PG.database().exec("ALTER TABLE typed ALTER COLUMN note TYPE varchar(10)");
        assertEquals(RefreshTransaction.UNCHANGED, service.refresh(key).reason());
        assertExact(ranked, "typed_rank");
    }

    @Test
    void aTableThatPostgresqlRemovesFromAJoinStaysCaptured() throws Exception {
        // PostgreSQL's plan drops the LEFT JOIN to a unique key that nothing reads; the stream table still
        // lists b among its captured sources, and its buffer must stay
        PG.database().exec("CREATE TABLE ja (id int PRIMARY KEY, bid int, v int)", "CREATE TABLE jb (id int PRIMARY KEY)",
                "INSERT INTO jb VALUES (1), (2)", "INSERT INTO ja SELECT i, i % 2 + 1, i FROM generate_series(1, 10) i");
        String full = "SELECT ja.id, rank() OVER (ORDER BY ja.v) AS r FROM ja LEFT JOIN jb ON ja.bid = jb.id";
        String diff = "SELECT ja.id, ja.v FROM ja LEFT JOIN jb ON ja.bid = jb.id";
        StreamTableKey f = apply("ja_full", full, RefreshMode.AUTO);
        StreamTableKey d = apply("ja_diff", diff, RefreshMode.AUTO);
        PG.database().exec("UPDATE ja SET v = 100 - v WHERE id = 3", "INSERT INTO jb VALUES (3)");
        assertNull(service.refresh(f).reason());
        assertEquals("DIFFERENTIAL", service.refresh(d).mode());
        assertExact(full, "ja_full");
        assertExact(diff, "ja_diff");
        // jb replaced under its name, without its key: the join now repeats rows. The FULL one recomputes; the
        // DIFFERENTIAL one's rows are identified assuming jb's key, so its recompute fails whole (the key of its
        // storage refuses the repeated rows) until it is applied again, which plans for the new table
        PG.database().exec("ALTER TABLE jb RENAME TO jb_old", "CREATE TABLE jb (id int)",
                "INSERT INTO jb VALUES (1), (1), (2)");
        assertEquals(AutoDecision.REPLACED, service.refresh(f).reason());
        assertExact(full, "ja_full");
        List<String> before;
        try (Connection c = PG.database().connect()) {
            before = Rows.storage(c, "ja_diff");
        }
        assertThrows(RefreshFailedException.class, () -> service.refresh(d));
        try (Connection c = PG.database().connect()) {
            assertEquals(before, Rows.storage(c, "ja_diff"), "nothing half-done");
        }
        ApplyResult again = applyAgain("ja_diff", diff);
        try (Connection c = PG.database().connect()) {
            // rows now counted by multiplicity (jb has no key): read as the catalog says
            assertEquals(Rows.multiset(c, diff), Rows.multiset(c, again.record().readSql()));
        }
    }

    @Test
    void aSourceDroppedAndCreatedAgainIsRecomputedUntilAppliedAgain() throws Exception {
        PG.database().exec("CREATE TABLE rep (id int PRIMARY KEY, g int, v int)",
                "INSERT INTO rep SELECT i, i % 3, i FROM generate_series(1, 30) i");
        String ranked = "SELECT id, rank() OVER (PARTITION BY g ORDER BY v) AS r FROM rep";
        String copy = "SELECT id, v FROM rep WHERE g = 1";
        StreamTableKey full = apply("rep_rank", ranked, RefreshMode.AUTO);
        StreamTableKey diff = apply("rep_copy", copy, RefreshMode.AUTO);
        // the capture goes with the table; the new one has no capture, its rows are not in the old buffer
        PG.database().exec("DROP TABLE rep CASCADE", "CREATE TABLE rep (id int PRIMARY KEY, g int, v int)",
                "INSERT INTO rep SELECT i, i % 3, 100 - i FROM generate_series(1, 40) i");
        for (int i = 0; i < 2; i++) {
            assertEquals(AutoDecision.REPLACED, service.refresh(full).reason());
            assertEquals(AutoDecision.REPLACED, service.refresh(diff).reason());
            assertExact(ranked, "rep_rank");
            assertExact(copy, "rep_copy");
            PG.database().exec("UPDATE rep SET v = v + 1 WHERE id = 4");
        }
        assertFalse(applyAgain("rep_rank", ranked).rebuilt(), "a FULL stream table keeps its table");
        applyAgain("rep_copy", copy);
        service.refresh(full);
        service.refresh(diff);
        PG.database().exec("UPDATE rep SET v = v + 50 WHERE id = 7");
        assertNull(service.refresh(full).reason());
        assertEquals("DIFFERENTIAL", service.refresh(diff).mode());
        assertEquals(RefreshTransaction.UNCHANGED, service.refresh(full).reason());
        assertExact(ranked, "rep_rank");
        assertExact(copy, "rep_copy");

        // dropped and not created again: the refresh fails (the query names a missing table) instead of checking
        PG.database().exec("DROP TABLE rep CASCADE");
        assertThrows(RefreshFailedException.class, () -> service.refresh(full));
    }

    @Test
    void aSourceCreatedAgainWithOtherColumnsRemakesTheTableAtTheNextApply() throws Exception {
        PG.database().exec("CREATE TABLE star (id int PRIMARY KEY, v int)", "INSERT INTO star VALUES (1, 10), (2, 20)");
        String query = "SELECT *, rank() OVER (ORDER BY v) AS r FROM star";
        StreamTableKey key = apply("starred", query, RefreshMode.AUTO);
        PG.database().exec("DROP TABLE star CASCADE", "CREATE TABLE star (id int PRIMARY KEY, v int, note text)",
                "INSERT INTO star VALUES (1, 30, 'a'), (2, 20, 'b')");
        // the query's columns changed with its source: kept, the table would no longer fit them
        assertTrue(applyAgain("starred", query).rebuilt());
        assertExact(query, "starred");
        assertEquals(RefreshTransaction.UNCHANGED, service.refresh(key).reason());
    }
}
