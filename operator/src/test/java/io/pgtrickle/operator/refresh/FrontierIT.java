package io.pgtrickle.operator.refresh;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.Database;
import io.pgtrickle.operator.db.JdbcDatabase;
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
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once under the two hazards that break counter-based frontiers: a transaction that
 * commits long after later ones were refreshed, and a refresh killed at an arbitrary point.
 */
class FrontierIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final String SUMS = "SELECT g, count(*) AS n, sum(v) AS total FROM t GROUP BY g";
    private static StreamTableService service;
    /** Backend pid of the connection the service opened last. */
    private static final AtomicInteger lastPid = new AtomicInteger();
    /** Connections the service opened: a refresh whose connection was killed opens a second one. */
    private static final AtomicInteger connects = new AtomicInteger();

    @BeforeAll
    static void schema() throws Exception {
        PG.database().exec("CREATE TABLE t (id bigint PRIMARY KEY, g int NOT NULL, v bigint NOT NULL)",
                "INSERT INTO t SELECT i, i % 10, i FROM generate_series(1, 20000) i");
        Database tracking = () -> {
            Connection c = PG.database().connect();
            connects.incrementAndGet();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                lastPid.set(rs.getInt(1));
            }
            return c;
        };
        service = new StreamTableService(tracking);
        for (String[] st : new String[][] {{"rows", "SELECT id, g, v FROM t"}, {"sums", SUMS}}) {
            service.apply(new StreamTableDefinition(new StreamTableKey("f", st[0]), "uid-" + st[0],
                    new QualifiedName("public", "st_" + st[0]), st[1], RefreshMode.DIFFERENTIAL, "1h", false,
                    ReclaimPolicy.Delete, 1L));
        }
    }

    private static void assertExact() throws Exception {
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, g, v FROM t"), Rows.storage(c, "st_rows"));
            assertEquals(Rows.multiset(c, SUMS), Rows.storage(c, "st_sums"));
        }
    }

    private static void refreshBoth() throws Exception {
        service.refresh(new StreamTableKey("f", "rows"));
        service.refresh(new StreamTableKey("f", "sums"));
    }

    @Test
    void aSourceTruncatedAndReloadedWhileTheRefreshWaitsIsReadAsCommitted() throws Exception {
        String join = "SELECT a.id, a.v, d.name FROM fa a JOIN fd d ON d.k = a.k";
        PG.database().exec("CREATE TABLE fa (id int PRIMARY KEY, k int NOT NULL, v int NOT NULL)",
                "CREATE TABLE fd (k int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO fa SELECT g, g % 5, g FROM generate_series(1, 100) g",
                "INSERT INTO fd SELECT g, 'd' || g FROM generate_series(0, 4) g");
        StreamTableKey key = new StreamTableKey("f", "joined");
        service.apply(new StreamTableDefinition(key, "uid-joined", new QualifiedName("public", "st_joined"), join,
                RefreshMode.DIFFERENTIAL, "1h", false, ReclaimPolicy.Delete, 1L));
        service.refresh(key);
        PG.database().exec("INSERT INTO fa SELECT g, g % 5, g FROM generate_series(101, 150) g");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection reload = PG.database().connect(); Statement s = reload.createStatement();
             Connection watch = PG.database().connect()) {
            // a dimension reloaded in one transaction, which holds its lock while the refresh starts
            reload.setAutoCommit(false);
            s.execute("TRUNCATE fd");
            s.execute("INSERT INTO fd SELECT g, 'd' || g FROM generate_series(0, 4) g");
            Future<RefreshResult> refresh = pool.submit(() -> service.refresh(key));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (Rows.count(watch, "SELECT count(*) FROM pg_locks WHERE NOT granted"
                    + " AND relation = 'fd'::regclass") == 0) {
                assertTrue(System.nanoTime() < deadline, "the refresh never waited for the reload's lock");
                Thread.sleep(10);
            }
            reload.commit();
            refresh.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        // read with a snapshot from before the reload's commit, fd was empty: the 50 new rows went missing
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, join), Rows.storage(c, "st_joined"));
        }
    }

    @Test
    void aRefreshThatCannotLockItsSourcesInTimeFailsRatherThanReadThemUnlocked() throws Exception {
        PG.database().exec("CREATE TABLE fl (id int PRIMARY KEY, v int NOT NULL)",
                "INSERT INTO fl SELECT g, g FROM generate_series(1, 10) g");
        StreamTableKey key = new StreamTableKey("f", "locked");
        service.apply(new StreamTableDefinition(key, "uid-locked", new QualifiedName("public", "st_locked"),
                "SELECT id, v FROM fl", RefreshMode.DIFFERENTIAL, "1h", false, ReclaimPolicy.Delete, 1L));
        for (int i = 1; i <= 2; i++) { // from the second on, a refresh pipelines the source lock and its batch query
            PG.database().exec("UPDATE fl SET v = v + 1 WHERE id = " + i);
            service.refresh(key);
        }
        PG.database().exec("UPDATE fl SET v = v + 1 WHERE id = 3");
        StreamTableService impatient = new StreamTableService(
                JdbcDatabase.fromUrl(PG.database().jdbcUrl() + "&options=-c%20lock_timeout%3D200"));
        try (Connection holder = PG.database().connect(); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE fl IN ACCESS EXCLUSIVE MODE"); // e.g. a long VACUUM FULL
            // The pipelined lock times out and so does every later attempt (the ordered path, the retry with
            // fresh source names): the refresh fails, to be retried, rather than take its snapshot unlocked.
            Exception e = assertThrows(Exception.class, () -> impatient.refresh(key));
            assertTrue(String.valueOf(e.getMessage()).contains("lock timeout"), String.valueOf(e.getMessage()));
            holder.rollback();
        }
        assertEquals(1, service.refresh(key).rows()); // nothing was consumed by the failed refresh
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, v FROM fl"), Rows.storage(c, "st_locked"));
        }
    }

    @Test
    void aTransactionCommittingLateIsAppliedExactlyOnce() throws Exception {
        try (Connection late = PG.database().connect(); Statement s = late.createStatement()) {
            late.setAutoCommit(false);
            // Takes its xid first, so every later writer has a larger one.
            s.execute("INSERT INTO t VALUES (900001, 1, 1000)");
            s.execute("UPDATE t SET v = v + 7 WHERE id BETWEEN 1 AND 50");
            for (int i = 0; i < 3; i++) {
                PG.database().exec("INSERT INTO t VALUES (" + (910000 + i) + ", 2, 5)",
                        "DELETE FROM t WHERE id = " + (100 + i));
                refreshBoth();
                assertExact(); // the open transaction is invisible to both sides
            }
            late.commit();
        }
        refreshBoth();
        assertExact();
        refreshBoth();
        assertExact(); // and is not applied a second time
    }

    @Test
    void refreshesKilledAtRandomPointsLeaveTheStreamTablesExact() throws Exception {
        Random rnd = new Random(7);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        int killed = 0;
        try {
            for (int round = 0; round < 25; round++) {
                PG.database().exec("UPDATE t SET v = v + 1 WHERE id % 97 = " + rnd.nextInt(97),
                        "DELETE FROM t WHERE id % 401 = " + rnd.nextInt(401),
                        "INSERT INTO t SELECT i, i % 10, i FROM generate_series(" + (100000 + round * 300) + ", "
                                + (100000 + round * 300 + 250) + ") i");
                lastPid.set(0);
                int connectsBefore = connects.get();
                String which = rnd.nextBoolean() ? "rows" : "sums";
                Future<?> refresh = pool.submit(() -> {
                    service.refresh(new StreamTableKey("f", which));
                    return null;
                });
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                while (lastPid.get() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                Thread.sleep(rnd.nextInt(8));
                try (Connection admin = PG.database().connect(); Statement s = admin.createStatement()) {
                    s.execute("SELECT pg_terminate_backend(" + lastPid.get() + ")");
                }
                try {
                    refresh.get(30, TimeUnit.SECONDS);
                    // killed, then run again on a new connection (StreamTableService#refresh)
                    killed += connects.get() - connectsBefore > 1 ? 1 : 0;
                } catch (java.util.concurrent.ExecutionException e) {
                    killed++; // killed twice, or the kill hit the error bookkeeping
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("[frontier] 25 refreshes, " + killed + " killed mid-flight");
        assertTrue(killed >= 5, "the test must actually kill refreshes mid-flight: " + killed);
        refreshBoth();
        assertExact();
    }
}
