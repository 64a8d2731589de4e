package io.pgtrickle.operator.verify;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.refresh.RefreshTransaction;
import io.pgtrickle.operator.refresh.StreamTableLock;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Verification} against a real PostgreSQL: stream tables of several shapes are found consistent with
 * changes pending and without; a table changed by hand is found differing, with its rows; a verification leaves the
 * storage table, the frontier and the pending changes as they were, and blocks neither writers of the sources nor
 * readers of the table; a repair recomputes a drifted table.
 */
class VerificationIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static StreamTableService service;
    private static StreamTableVerifier verifier;

    @BeforeAll
    static void schema() {
        PG.database().exec(
                "CREATE TABLE orders (id int PRIMARY KEY, customer int NOT NULL, region text, amount numeric(10,2))",
                "INSERT INTO orders SELECT i, i % 20, 'r' || (i % 4), i * 1.5 FROM generate_series(1, 400) i",
                "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO customers SELECT i, 'c' || i FROM generate_series(0, 19) i",
                "CREATE TABLE events (kind text, weight int)", // no key, duplicate rows
                "INSERT INTO events SELECT 'k' || (i % 3), i % 2 FROM generate_series(1, 60) i",
                "ANALYZE");
        service = new StreamTableService(PG.database().asDatabase());
        verifier = new StreamTableVerifier(PG.database().asDatabase());
    }

    private static StreamTableKey apply(String name, String query, RefreshMode mode) throws Exception {
        StreamTableKey key = new StreamTableKey("verify", name);
        service.apply(new StreamTableDefinition(key, "uid-" + name, new QualifiedName("public", name), query, mode,
                "1h", false, ReclaimPolicy.Delete, 1L));
        return key;
    }

    private static void exec(String... sql) {
        PG.database().exec(sql);
    }

    /** The storage rows and the catalog's frontier and last refresh, to show that nothing changed. */
    private static String state(String table, StreamTableKey key) throws Exception {
        try (Connection c = PG.database().connect()) {
            return Rows.storage(c, table) + " " + Rows.multiset(c, "SELECT frontier::text, last_refresh_at::text,"
                    + " (SELECT count(*) FROM pgtrickle.refresh_history h WHERE h.name = t.name)"
                    + " FROM pgtrickle.stream_tables t WHERE name = '" + key.name() + "'");
        }
    }

    @Test
    void streamTablesOfEveryShapeAreConsistentWithChangesPendingAndWithout() throws Exception {
        List<StreamTableKey> keys = List.of(
                apply("by_region", "SELECT region, count(*) AS n, sum(amount) AS total FROM orders GROUP BY region",
                        RefreshMode.AUTO),
                apply("named_orders", "SELECT o.id, c.name, o.amount FROM orders o JOIN customers c"
                        + " ON c.id = o.customer WHERE o.amount > 30", RefreshMode.AUTO),
                apply("event_rows", "SELECT kind, weight FROM events", RefreshMode.AUTO),
                apply("full_by_customer", "SELECT customer, max(amount) AS top FROM orders GROUP BY customer",
                        RefreshMode.FULL));
        for (StreamTableKey key : keys) {
            Verification.Result r = verifier.verify(key, 10);
            assertEquals(Verification.Verdict.CONSISTENT, r.verdict(), key + ": " + r.message());
            assertTrue(r.message().contains("no change was pending"), r.message());
        }
        // changes pending for every one of them: rows inserted, updated and deleted, duplicates included
        exec("INSERT INTO orders SELECT i, i % 20, 'r' || (i % 5), i * 1.5 FROM generate_series(401, 450) i",
                "UPDATE orders SET amount = amount + 100, customer = (customer + 1) % 20 WHERE id % 7 = 0",
                "DELETE FROM orders WHERE id % 11 = 0",
                "UPDATE customers SET name = upper(name) WHERE id % 3 = 0",
                "INSERT INTO events VALUES ('k1', 1), ('k1', 1), ('k9', NULL)",
                "DELETE FROM events WHERE ctid IN (SELECT ctid FROM events WHERE kind = 'k2' LIMIT 3)");
        for (StreamTableKey key : keys) {
            String table = key.name();
            String before = state(table, key);
            Verification.Result r = verifier.verify(key, 10);
            assertEquals(Verification.Verdict.CONSISTENT, r.verdict(), key + ": " + r.message());
            assertFalse(r.message().contains("no change was pending"), r.message());
            assertEquals(before, state(table, key), key + ": a verification changes nothing");
            // the changes are still pending: the next refresh applies them
            assertTrue(service.refresh(key).rows() > 0, key + ": the refresh after the verification applied them");
            assertTrue(verifier.verify(key, 10).message().contains("no change was pending"));
        }
    }

    @Test
    void aTableChangedByHandDiffersWithItsRowsAndARepairRecomputesIt() throws Exception {
        StreamTableKey key = apply("tampered", "SELECT customer, count(*) AS n FROM orders GROUP BY customer",
                RefreshMode.AUTO);
        // "SET pgtrickle.maintaining = on" lets a session write a storage table, as a repair by hand would
        exec("SET pgtrickle.maintaining = on; UPDATE tampered SET n = n + 1000 WHERE customer = 3;"
                + " DELETE FROM tampered WHERE customer = 4");
        exec("INSERT INTO orders VALUES (10001, 5, 'r1', 1)"); // and a change pending, which is no drift
        Verification.Result r = verifier.verify(key, 10);
        assertEquals(Verification.Verdict.DIFFERS, r.verdict(), r.message());
        assertEquals(2, r.difference().missing(), r.message());
        assertEquals(1, r.difference().extra(), r.message());
        assertTrue(r.difference().extraSample().get(0).startsWith("(3,"), r.difference().extraSample().toString());
        assertTrue(r.difference().missingSample().stream().anyMatch(row -> row.startsWith("(4,")),
                r.difference().missingSample().toString());
        assertNull(r.repair());

        Verification.Result repaired = verifier.verify(key, 10, true);
        assertEquals(Verification.Verdict.DIFFERS, repaired.verdict());
        assertNotNull(repaired.repair());
        assertTrue(repaired.repair().startsWith("repaired by a FULL refresh"), repaired.repair());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT customer, count(*) FROM orders GROUP BY customer"),
                    Rows.storage(c, "tampered"));
            assertTrue(Rows.multiset(c, "SELECT last_refresh_reason FROM pgtrickle.stream_tables"
                    + " WHERE name = 'tampered'").get(0).startsWith("repairing a drift"));
        }
        assertEquals(Verification.Verdict.CONSISTENT, verifier.verify(key, 10).verdict());
        // and the stream table goes on incrementally from the repair's frontier
        exec("UPDATE orders SET customer = 6 WHERE id = 10001");
        assertEquals("DIFFERENTIAL", service.refresh(key).mode());
        assertEquals(Verification.Verdict.CONSISTENT, verifier.verify(key, 10).verdict());
    }

    @Test
    void theVerificationTransactionBlocksNeitherWritersNorReaders() throws Exception {
        // more than FullRefresh.REBUILD_KEY_MIN_ROWS rows, and a truncation pending: a refresh would recompute in
        // FULL; a verification must not drop and rebuild the key, which locks readers out of the table
        exec("CREATE TABLE big (id int PRIMARY KEY, v int)",
                "INSERT INTO big SELECT i, i % 100 FROM generate_series(1, 12000) i");
        StreamTableKey key = apply("big_copy", "SELECT id, v FROM big", RefreshMode.AUTO);
        exec("ANALYZE big_copy", "BEGIN; TRUNCATE big; INSERT INTO big SELECT i, i % 101 FROM generate_series(1, 12000) i;"
                + " COMMIT");
        try (Connection verifying = PG.database().connect()) {
            RefreshTransaction.Uncommitted applied = RefreshTransaction.applyUncommitted(verifying, key);
            assertEquals("FULL", applied.mode(), "the truncation makes the next refresh FULL");
            CompletableFuture<Void> others = CompletableFuture.runAsync(() -> {
                try (Connection c = PG.database().connect(); Statement s = c.createStatement()) {
                    s.execute("SET lock_timeout = '3s'");
                    s.execute("INSERT INTO big VALUES (20000, 1)"); // a writer of the source
                    s.execute("UPDATE big SET v = v + 1 WHERE id = 1");
                    s.executeQuery("SELECT count(*) FROM big_copy").close(); // a reader of the stream table
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            others.get(10, TimeUnit.SECONDS);
            assertTrue(ResultComparison.compare(verifying, applied.installed().table(), "SELECT id, v FROM big", 3)
                    .equal(), "the snapshot is the verification's: the writes after it are not in it");
            verifying.rollback();
        }
        assertEquals(Verification.Verdict.CONSISTENT, verifier.verify(key, 3).verdict());
    }

    @Test
    void aVerificationWaitsForARefreshInProgress() throws Exception {
        StreamTableKey key = apply("waited", "SELECT region, count(*) AS n FROM orders GROUP BY region",
                RefreshMode.AUTO);
        try (Connection refresher = PG.database().connect()) {
            StreamTableLock.lockSession(refresher, key); // as a refresh holds it
            CompletableFuture<Verification.Result> r = CompletableFuture.supplyAsync(() -> verifier.verify(key, 3));
            Thread.sleep(500);
            assertFalse(r.isDone(), "the verification waits for the lock");
            StreamTableLock.unlockSession(refresher, key);
            assertEquals(Verification.Verdict.CONSISTENT, r.get(10, TimeUnit.SECONDS).verdict());
        }
    }

    @Test
    void aSuspendedStreamTableIsConsistentOnlyAsItIs() throws Exception {
        String query = "SELECT kind, count(*) AS n FROM events GROUP BY kind";
        StreamTableKey key = new StreamTableKey("verify", "suspended");
        StreamTableDefinition def = new StreamTableDefinition(key, "uid-suspended", QualifiedName.parse("suspended"),
                query, RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L);
        service.apply(def);
        service.apply(new StreamTableDefinition(key, "uid-suspended", QualifiedName.parse("suspended"), query,
                RefreshMode.AUTO, "1h", true, ReclaimPolicy.Delete, 2L));
        assertEquals(Verification.Verdict.CONSISTENT, verifier.verify(key, 3).verdict());
        exec("INSERT INTO events VALUES ('k7', 1)");
        Verification.Result r = verifier.verify(key, 3);
        assertEquals(Verification.Verdict.NOT_VERIFIED, r.verdict(), r.message());
        assertTrue(r.message().startsWith("not verifiable while suspended"), r.message());
        assertEquals(Verification.Verdict.NOT_VERIFIED, verifier.verify(new StreamTableKey("verify", "nope"), 3)
                .verdict());
    }
}
