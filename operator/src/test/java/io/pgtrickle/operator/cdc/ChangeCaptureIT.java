package io.pgtrickle.operator.cdc;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.db.InvalidQueryException;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.ModeDecision;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.refresh.RefreshFailedException;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.refresh.StreamTableSuspendedException;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeCaptureIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static StreamTableService service;

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE p (id int PRIMARY KEY, a int, b text, c text, d text)",
                "INSERT INTO p SELECT g, g % 5, 'b' || g, 'c' || g, 'd' FROM generate_series(1, 100) g");
        service = new StreamTableService(PG.database().asDatabase());
    }

    private static StreamTableDefinition def(String name, String query) {
        return new StreamTableDefinition(new StreamTableKey("cdc", name), "uid-" + name,
                new QualifiedName("public", name), query, RefreshMode.DIFFERENTIAL, "1h", false, ReclaimPolicy.Delete, 1L);
    }

    private static List<String> bufferColumns() throws Exception {
        try (Connection c = PG.database().connect()) {
            return Rows.multiset(c, "SELECT attname FROM pg_attribute WHERE attrelid ="
                    + " ('pgtrickle_changes.changes_' || 'p'::regclass::oid)::regclass AND attnum > 0"
                    + " AND NOT attisdropped AND attname NOT LIKE '\\_\\_pgt%'");
        }
    }

    @Test
    void buffersKeepOnlyReadColumnsAndWidenTruncateForcesFullAndLastDeleteRemovesCapture() throws Exception {
        service.apply(def("only_a", "SELECT id, a FROM p WHERE a > 1"));
        assertEquals(List.of("a", "id"), bufferColumns());

        service.apply(def("with_b", "SELECT id, b FROM p"));
        assertEquals(List.of("a", "b", "id"), bufferColumns(), "widened for the second stream table");

        PG.database().exec("UPDATE p SET a = a + 1, b = b || '!' WHERE id <= 10", "INSERT INTO p VALUES (500, 4, 'x', 'y', 'z')");
        for (String st : List.of("only_a", "with_b")) {
            RefreshResult r = service.refresh(new StreamTableKey("cdc", st));
            assertEquals("DIFFERENTIAL", r.mode());
            service.cleanupAfter(r);
        }
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, a FROM p WHERE a > 1"), Rows.storage(c, "only_a"));
            assertEquals(Rows.multiset(c, "SELECT id, b FROM p"), Rows.storage(c, "with_b"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pgtrickle_changes.changes_" + oid(c)),
                    "rows consumed by every dependant are cleaned up");
        }

        PG.database().exec("TRUNCATE p", "INSERT INTO p VALUES (1, 3, 'new', 'c', 'd')");
        RefreshResult r = service.refresh(new StreamTableKey("cdc", "only_a"));
        assertEquals("FULL", r.mode());
        assertTrue(r.reason().contains("truncated"), r.reason());
        service.cleanupAfter(r);
        String markers = "SELECT count(*) FROM pgtrickle_changes.truncates WHERE source_oid = 'p'::regclass::oid";
        try (Connection c = PG.database().connect()) {
            assertEquals(List.of("1|3"), Rows.storage(c, "only_a"));
            assertEquals(1, Rows.count(c, markers), "with_b has not read the truncation yet");
        }
        r = service.refresh(new StreamTableKey("cdc", "with_b"));
        assertEquals("FULL", r.mode());
        service.cleanupAfter(r);
        try (Connection c = PG.database().connect()) {
            // a source truncated every night must not leave a marker per night for every refresh to read
            assertEquals(0, Rows.count(c, markers), "a marker every dependant has read is cleaned up");
        }

        service.delete(new StreamTableKey("cdc", "only_a"), "uid-only_a", ReclaimPolicy.Delete);
        assertEquals(List.of("a", "b", "id"), bufferColumns(), "still needed by with_b");
        service.delete(new StreamTableKey("cdc", "with_b"), "uid-with_b", ReclaimPolicy.Delete);
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'p'::regclass"
                    + " AND NOT tgisinternal"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_class WHERE relname = 'changes_" + oid(c) + "'"));
        }
        PG.database().exec("INSERT INTO p VALUES (2, 1, 'b', 'c', 'd')"); // writes work without capture
    }

    @Test
    void aFailedInstallLeavesNoCaptureBehind() throws Exception {
        PG.database().exec("CREATE TABLE q (id int PRIMARY KEY, v int)", "CREATE TABLE taken (x int)");
        try {
            service.apply(new StreamTableDefinition(new StreamTableKey("cdc", "clash"), "uid-clash",
                    new QualifiedName("public", "taken"), "SELECT id, v FROM q", RefreshMode.AUTO, "1h", false,
                    ReclaimPolicy.Delete, 1L));
        } catch (RuntimeException expected) {
            // TableConflict: the storage table exists and is not ours
        }
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'q'::regclass"
                    + " AND NOT tgisinternal"), "no triggers left on q");
        }
    }

    @Test
    void renamingACapturedColumnNeverBreaksTheSourcesWriters() throws Exception {
        PG.database().exec("CREATE TABLE r (id int PRIMARY KEY, amount int, status text)",
                "INSERT INTO r SELECT g, g, CASE WHEN g % 2 = 0 THEN 'open' ELSE 'done' END FROM generate_series(1, 50) g");
        service.apply(def("r_amounts", "SELECT id, amount FROM r"));
        service.apply(def("r_status", "SELECT id, status FROM r"));
        service.apply(def("r_amounts_too", "SELECT id, amount * 2 AS twice FROM r"));

        PG.database().exec("ALTER TABLE r RENAME COLUMN amount TO total");
        // writers go on: the capture reads columns by number, not by name
        PG.database().exec("UPDATE r SET total = total + 100, status = 'done' WHERE id <= 10",
                "INSERT INTO r VALUES (100, 7, 'open')", "DELETE FROM r WHERE id = 50");

        // both go on incrementally: the captured values follow the column, as a view would
        for (String st : List.of("r_status", "r_amounts")) {
            assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("cdc", st)).mode());
        }
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, status FROM r"), Rows.storage(c, "r_status"));
            assertEquals(Rows.multiset(c, "SELECT id, total FROM r"), Rows.storage(c, "r_amounts"));
        }
        // the query text itself no longer plans: the next apply (the operator re-checks periodically) says so
        InvalidQueryException invalid = assertThrows(InvalidQueryException.class,
                () -> service.apply(def("r_amounts", "SELECT id, amount FROM r")));
        assertTrue(invalid.getMessage().contains("amount"), invalid.getMessage());
        // until the query names the column as it is now
        service.apply(def("r_amounts", "SELECT id, total AS amount FROM r"));
        PG.database().exec("UPDATE r SET total = total + 1 WHERE id BETWEEN 20 AND 25");
        assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("cdc", "r_amounts")).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, total FROM r"), Rows.storage(c, "r_amounts"));
        }
        // capture now fills the column by its new name: another reader not yet re-applied must not apply
        // NULLs from the old buffer column; it refreshes in FULL, which fails on its stale query text
        List<String> before;
        try (Connection c = PG.database().connect()) {
            before = Rows.storage(c, "r_amounts_too");
        }
        RefreshFailedException stale = assertThrows(RefreshFailedException.class,
                () -> service.refresh(new StreamTableKey("cdc", "r_amounts_too")));
        assertTrue(stale.getMessage().contains("amount"), stale.getMessage());
        try (Connection c = PG.database().connect()) {
            assertEquals(before, Rows.storage(c, "r_amounts_too"), "its last good contents are kept");
        }
    }

    @Test
    void droppingOrRetypingACapturedColumnIsRefusedAndCascadeFallsBackToFull() throws Exception {
        PG.database().exec("CREATE TABLE d (id int PRIMARY KEY, amount int, note text, spare text)",
                "INSERT INTO d SELECT g, g, 'n' || g, 's' FROM generate_series(1, 40) g");
        service.apply(def("d_amounts", "SELECT id, amount FROM d"));
        service.apply(def("d_notes", "SELECT id, note FROM d"));

        IllegalStateException drop = assertThrows(IllegalStateException.class, () -> PG.database().exec(
                "ALTER TABLE d DROP COLUMN amount"));
        assertTrue(drop.getMessage().contains("pgtrickle_changes"), drop.getMessage());
        IllegalStateException retype = assertThrows(IllegalStateException.class, () -> PG.database().exec(
                "ALTER TABLE d ALTER COLUMN amount TYPE bigint"));
        assertTrue(retype.getMessage().contains("pgtrickle_changes"), retype.getMessage());
        // columns no stream table reads stay free
        PG.database().exec("ALTER TABLE d DROP COLUMN spare", "ALTER TABLE d ADD COLUMN extra int");

        // CASCADE removes the capture's projection: writers still go on, and the stream tables recompute
        PG.database().exec("ALTER TABLE d DROP COLUMN amount CASCADE");
        PG.database().exec("UPDATE d SET note = note || '!' WHERE id <= 5", "INSERT INTO d (id, note) VALUES (99, 'x')");
        RefreshResult full = service.refresh(new StreamTableKey("cdc", "d_notes"));
        assertEquals("FULL", full.mode());
        assertTrue(full.reason().contains("capture"), full.reason());
        // applying again installs capture anew; DIFFERENTIAL from then on
        service.apply(def("d_notes", "SELECT id, note FROM d"));
        PG.database().exec("UPDATE d SET note = note || '?' WHERE id BETWEEN 6 AND 9");
        assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("cdc", "d_notes")).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, note FROM d"), Rows.storage(c, "d_notes"));
        }
        // a source stream tables read cannot be dropped from under them either
        IllegalStateException dropTable = assertThrows(IllegalStateException.class,
                () -> PG.database().exec("DROP TABLE d"));
        assertTrue(dropTable.getMessage().contains("pgtrickle_changes"), dropTable.getMessage());
        service.delete(new StreamTableKey("cdc", "d_amounts"), "uid-d_amounts", ReclaimPolicy.Delete);
        service.delete(new StreamTableKey("cdc", "d_notes"), "uid-d_notes", ReclaimPolicy.Delete);
        PG.database().exec("DROP TABLE d"); // nothing of pgtrickle's left to hold it
    }

    @Test
    void capturedColumnsOfEveryKindOfTypeArriveIntact() throws Exception {
        PG.database().exec("CREATE TYPE mood AS ENUM ('low', 'high')",
                "CREATE DOMAIN short_code AS varchar(5) CHECK (VALUE <> '')",
                "CREATE TABLE typed (id int PRIMARY KEY, code short_code, label varchar(10), pad char(3),"
                        + " price numeric(8,2), at timestamptz, doc jsonb, tags int[], m mood, raw bytea, u uuid,"
                        + " twice int GENERATED ALWAYS AS (id * 2) STORED)",
                "INSERT INTO typed (id, code, label, pad, price, at, doc, tags, m, raw, u) SELECT g, 'c' || g,"
                        + " 'l' || g, 'p', g * 1.25, '2026-01-01'::timestamptz + g * interval '1 hour',"
                        + " jsonb_build_object('g', g), ARRAY[g, g + 1], 'low', decode(md5(g::text), 'hex'),"
                        + " md5(g::text)::uuid FROM generate_series(1, 30) g");
        String query = "SELECT id, code, label, pad, price, at, doc, tags, m, raw, u, twice FROM typed";
        service.apply(def("typed_all", query));
        PG.database().exec("UPDATE typed SET price = price * 2, doc = doc || '{\"x\": 1}', tags = tags || 9,"
                        + " m = 'high', label = NULL WHERE id <= 10",
                "ALTER TABLE typed RENAME COLUMN price TO amount",
                "DELETE FROM typed WHERE id BETWEEN 20 AND 22",
                "INSERT INTO typed (id, code, label, pad, amount, at, doc, tags, m, raw, u) VALUES (99, 'z', 'zz', 'q',"
                        + " 0.5, now(), '[]', '{}', 'high', '\\x00', gen_random_uuid())");
        assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("cdc", "typed_all")).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, query.replace("price", "amount")), Rows.storage(c, "typed_all"));
        }
    }

    private static StreamTableDefinition suspended(String name, String query, boolean suspend) {
        return new StreamTableDefinition(new StreamTableKey("cdc", name), "uid-" + name,
                new QualifiedName("public", name), query, RefreshMode.DIFFERENTIAL, "1h", suspend, ReclaimPolicy.Delete, 1L);
    }

    @Test
    void aSuspendedStreamTableHoldsNoChangesAndResumesWithAFullRefresh() throws Exception {
        PG.database().exec("CREATE TABLE sus (id int PRIMARY KEY, v int)",
                "INSERT INTO sus SELECT g, g FROM generate_series(1, 100) g");
        String rowsQuery = "SELECT id, v FROM sus";
        String sumQuery = "SELECT sum(v) AS total, count(*) AS n FROM sus";
        service.apply(suspended("sus_rows", rowsQuery, false));
        service.apply(suspended("sus_sum", sumQuery, false));
        String buffer;
        try (Connection c = PG.database().connect()) {
            buffer = "pgtrickle_changes.changes_" + Rows.count(c, "SELECT 'sus'::regclass::oid::bigint");
        }

        service.apply(suspended("sus_rows", rowsQuery, true));
        StreamTableSuspendedException refused = assertThrows(StreamTableSuspendedException.class,
                () -> service.refresh(new StreamTableKey("cdc", "sus_rows")));
        assertTrue(refused.hint().contains("spec.suspend"), refused.hint());
        // the other reader consumes, and the suspended one does not hold the rows back
        PG.database().exec("UPDATE sus SET v = v + 1 WHERE id <= 10");
        RefreshResult r = service.refresh(new StreamTableKey("cdc", "sus_sum"));
        service.cleanupAfter(r);
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM " + buffer));
            assertEquals(List.of("0"), Rows.multiset(c,
                    "SELECT consecutive_errors FROM pgtrickle.stream_tables WHERE name = 'sus_rows'"));
        }

        // with every reader suspended, capture goes: writes carry no trigger cost and fill no buffer
        service.apply(suspended("sus_sum", sumQuery, true));
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'sus'::regclass"
                    + " AND NOT tgisinternal"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('" + buffer + "')"));
        }
        PG.database().exec("DELETE FROM sus WHERE id > 90", "INSERT INTO sus VALUES (500, 5)");

        // resumed: capture is back, the first refresh recomputes, the next ones are incremental
        service.apply(suspended("sus_rows", rowsQuery, false));
        RefreshResult first = service.refresh(new StreamTableKey("cdc", "sus_rows"));
        assertEquals("FULL", first.mode());
        PG.database().exec("UPDATE sus SET v = 0 WHERE id BETWEEN 40 AND 45");
        assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("cdc", "sus_rows")).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, rowsQuery), Rows.storage(c, "sus_rows"));
        }
        service.delete(new StreamTableKey("cdc", "sus_rows"), "uid-sus_rows", ReclaimPolicy.Delete);
        service.delete(new StreamTableKey("cdc", "sus_sum"), "uid-sus_sum", ReclaimPolicy.Delete);
    }

    @Test
    void aStreamTableStoppedByAnInvalidSpecHoldsNoChanges() throws Exception {
        PG.database().exec("CREATE TABLE inv (id int PRIMARY KEY, qty int)",
                "INSERT INTO inv SELECT g, g FROM generate_series(1, 50) g");
        service.apply(def("inv_rows", "SELECT id, qty FROM inv"));
        PG.database().exec("ALTER TABLE inv RENAME COLUMN qty TO quantity");
        // the operator re-applies the unchanged spec periodically: the query no longer plans
        assertThrows(InvalidQueryException.class, () -> service.apply(def("inv_rows", "SELECT id, qty FROM inv")));
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'inv'::regclass"
                    + " AND NOT tgisinternal"), "capture released while the stream table cannot refresh");
        }
        PG.database().exec("UPDATE inv SET quantity = quantity * 10 WHERE id <= 5", "DELETE FROM inv WHERE id = 50");
        // fixed spec: capture is back, contents recomputed, then incremental again
        service.apply(def("inv_rows", "SELECT id, quantity AS qty FROM inv"));
        PG.database().exec("UPDATE inv SET quantity = 0 WHERE id BETWEEN 10 AND 12");
        assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("cdc", "inv_rows")).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, quantity FROM inv"), Rows.storage(c, "inv_rows"));
        }
    }

    @Test
    void aPartitionedSourceIsMaintainedInFullBecauseRowsCanBypassCapture() throws Exception {
        PG.database().exec("CREATE TABLE parted (id int PRIMARY KEY, v int) PARTITION BY RANGE (id)",
                "CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (100)",
                "CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (100) TO (1000)",
                "INSERT INTO parted SELECT g, g FROM generate_series(1, 300) g");
        String query = "SELECT id % 10 AS bucket, sum(v) AS total, count(*) AS n FROM parted GROUP BY id % 10";
        // statements on a partition fire only its own triggers, and ATTACH/DETACH move rows without any DML
        ModeDecision.UnsupportedModeException refused = assertThrows(ModeDecision.UnsupportedModeException.class,
                () -> service.apply(def("parted_sums", query)));
        assertTrue(refused.getMessage().contains("public.parted is partitioned"), refused.getMessage());
        PG.database().exec("CREATE TABLE legacy (id int PRIMARY KEY, v int)", "CREATE TABLE legacy_2025 () INHERITS (legacy)");
        assertThrows(ModeDecision.UnsupportedModeException.class,
                () -> service.apply(def("legacy_rows", "SELECT id, v FROM legacy")), "inheritance children bypass it too");
        StreamTableRecord auto = service.apply(new StreamTableDefinition(new StreamTableKey("cdc", "parted_sums"),
                "uid-parted_sums", new QualifiedName("public", "parted_sums"), query, RefreshMode.AUTO, "1h", false,
                ReclaimPolicy.Delete, 1L)).record();
        assertEquals("FULL", auto.effectiveMode());
        assertTrue(auto.modeReason().contains("partitioned"), auto.modeReason());
        PG.database().exec("UPDATE parted SET id = id + 500 WHERE id BETWEEN 90 AND 95",
                "UPDATE parted_low SET v = v * 2 WHERE id < 10", "DELETE FROM parted_high WHERE id > 290",
                "ALTER TABLE parted DETACH PARTITION parted_low");
        service.refresh(new StreamTableKey("cdc", "parted_sums"));
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, query), Rows.storage(c, "parted_sums"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'parted'::regclass"
                    + " AND NOT tgisinternal"), "no capture on a source maintained in FULL");
        }
    }

    @Test
    void changesAppliedWithReplicationRoleReplicaAreCapturedToo() throws Exception {
        PG.database().exec("CREATE TABLE replicated (id int PRIMARY KEY, v int)",
                "INSERT INTO replicated SELECT g, g FROM generate_series(1, 20) g");
        service.apply(def("replicated_rows", "SELECT id, v FROM replicated"));
        // as a logical replication apply worker, or a restore with triggers disabled, writes
        try (Connection c = PG.database().connect()) {
            c.createStatement().execute("SET session_replication_role = replica");
            c.createStatement().execute("UPDATE replicated SET v = v + 100 WHERE id <= 5");
            c.createStatement().execute("INSERT INTO replicated VALUES (21, 21)");
        }
        assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("cdc", "replicated_rows")).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, v FROM replicated"), Rows.storage(c, "replicated_rows"));
        }
    }

    @Test
    void rowsChangedByForeignKeyActionsAndCopyAreCaptured() throws Exception {
        PG.database().exec("CREATE TABLE owners (id int PRIMARY KEY, name text)",
                "CREATE TABLE pets (id int PRIMARY KEY, owner_id int REFERENCES owners ON DELETE CASCADE"
                        + " ON UPDATE CASCADE, kind text)",
                "INSERT INTO owners SELECT g, 'o' || g FROM generate_series(1, 10) g",
                "INSERT INTO pets SELECT g, g % 10 + 1, CASE WHEN g % 2 = 0 THEN 'cat' ELSE 'dog' END"
                        + " FROM generate_series(1, 40) g");
        String query = "SELECT owner_id, count(*) AS n FROM pets GROUP BY owner_id";
        service.apply(def("pets_per_owner", query));
        // cascades run as statements of their own on pets; COPY is an INSERT
        PG.database().exec("DELETE FROM owners WHERE id IN (2, 3)", "UPDATE owners SET id = 100 WHERE id = 4");
        try (Connection c = PG.database().connect()) {
            new org.postgresql.copy.CopyManager(c.unwrap(org.postgresql.core.BaseConnection.class))
                    .copyIn("COPY pets FROM STDIN (FORMAT csv)", new java.io.StringReader("500,1,cat\n501,100,dog\n"));
        }
        assertEquals("DIFFERENTIAL", service.refresh(new StreamTableKey("cdc", "pets_per_owner")).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, query), Rows.storage(c, "pets_per_owner"));
        }
    }

    private static long oid(Connection c) throws Exception {
        return Rows.count(c, "SELECT 'p'::regclass::oid::bigint");
    }
}
