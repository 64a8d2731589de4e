package io.pgtrickle.operator.refresh;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.Database;
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
