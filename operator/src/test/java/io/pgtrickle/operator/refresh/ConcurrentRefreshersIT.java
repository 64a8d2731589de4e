package io.pgtrickle.operator.refresh;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.PooledDatabase;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.ApplyResult;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two refreshers (two operator replicas, each with its own pool) refresh the same stream tables while
 * writers commit transactions that stay open across refreshes, some rolled back, and a reader watches the
 * stream tables. Every writer transaction moves amounts between accounts, so the total is the same in
 * every consistent snapshot: a refresh that applied part of a transaction (split it across two batches)
 * shows to the reader as a wrong total while the test runs. Each transaction also records its writer's
 * commit number in a ledger, so a transaction lost or applied twice shows as a count of commits that is
 * not the highest number. Now and then a transaction moves every account, a batch that AUTO refreshes in
 * FULL; one stream table reads another; and two are suspended (their capture released) and resumed (capture
 * installed again under the writers) over and over. At the end every stream table must equal its query.
 */
class ConcurrentRefreshersIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final long TOTAL = 1_000_000;
    private static final int ACCOUNTS = 2000;

    private static final String BY_BRANCH = "SELECT a.branch, b.region, count(*) AS n, sum(a.balance) AS total"
            + " FROM accounts a JOIN branches b ON b.id = a.branch GROUP BY a.branch, b.region";
    /** The same rows and columns, another text: re-applying it recomputes by_branch in place. */
    private static final String BY_BRANCH_AGAIN = "SELECT a.branch, b.region, count(*) AS n, sum(a.balance) AS total"
            + " FROM accounts a JOIN branches b ON a.branch = b.id GROUP BY a.branch, b.region";
    private static final String RICH = "SELECT id, branch, balance FROM accounts WHERE balance > 600";
    private static final String JOURNAL = "SELECT writer, count(*) AS n, max(seq) AS last FROM ledger GROUP BY writer";
    /** A stream table reading a stream table. */
    private static final String BY_REGION = "SELECT region, sum(total) AS total, sum(n) AS n FROM by_branch GROUP BY region";

    private static StreamTableDefinition def(String name, String query) {
        return def(name, query, false);
    }

    private static StreamTableDefinition def(String name, String query, boolean suspend) {
        return new StreamTableDefinition(new StreamTableKey("soak", name), "uid-" + name,
                new QualifiedName("public", name), query, RefreshMode.AUTO, "1h", suspend, ReclaimPolicy.Delete, 1L);
    }

    /** A statement of a transfer found its row gone (closed by the other writer meanwhile): roll back. */
    private static final class RowGone extends Exception {
    }

    private static void one(Statement s, String sql) throws SQLException, RowGone {
        if (s.executeUpdate(sql) != 1) {
            throw new RowGone();
        }
    }

    /**
     * Moves amounts between random accounts; sometimes one changes branch, or is closed (its balance,
     * read as it is deleted, goes to another account) and reopened empty; rarely every account moves. Any statement that misses its
     * row rolls the whole transaction back, so the total never changes.
     */
    private static void transfers(Statement s, Random rnd) throws SQLException, RowGone {
        for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
            int from = 1 + rnd.nextInt(ACCOUNTS);
            int to = 1 + rnd.nextInt(ACCOUNTS);
            int amount = rnd.nextInt(300);
            one(s, "UPDATE accounts SET balance = balance - " + amount
                    + (rnd.nextInt(5) == 0 ? ", branch = " + rnd.nextInt(20) : "") + " WHERE id = " + from);
            one(s, "UPDATE accounts SET balance = balance + " + amount + " WHERE id = " + to);
        }
        if (rnd.nextInt(40) == 0) {
            // a large batch (every account moves to the next branch): AUTO refreshes it in FULL
            s.execute("UPDATE accounts SET branch = (branch + 1) % 20");
        }
        if (rnd.nextInt(6) == 0) {
            int closed = 1 + rnd.nextInt(ACCOUNTS);
            int heir = closed % ACCOUNTS + 1;
            long balance;
            try (ResultSet rs = s.executeQuery("DELETE FROM accounts WHERE id = " + closed + " RETURNING balance")) {
                if (!rs.next()) {
                    throw new RowGone();
                }
                balance = rs.getLong(1);
            }
            one(s, "UPDATE accounts SET balance = balance + " + balance + " WHERE id = " + heir);
            one(s, "INSERT INTO accounts VALUES (" + closed + ", " + rnd.nextInt(20) + ", 0)");
        }
    }

    @Test
    void concurrentRefreshersAndLateCommittingWritersApplyEveryTransactionExactlyOnce() throws Exception {
        PG.database().exec("CREATE TABLE branches (id int PRIMARY KEY, region text NOT NULL)",
                "INSERT INTO branches SELECT g, 'r' || g % 3 FROM generate_series(0, 19) g",
                "CREATE TABLE accounts (id int PRIMARY KEY, branch int NOT NULL, balance bigint NOT NULL)",
                "INSERT INTO accounts SELECT i, i % 20, " + TOTAL / ACCOUNTS + " FROM generate_series(1, " + ACCOUNTS + ") i",
                "CREATE TABLE ledger (writer int, seq int, PRIMARY KEY (writer, seq))");
        List<StreamTableDefinition> defs = List.of(def("by_branch", BY_BRANCH), def("rich", RICH),
                def("journal", JOURNAL), def("by_region", BY_REGION));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger suspensions = new AtomicInteger();
        AtomicInteger recomputes = new AtomicInteger();
        Map<String, AtomicInteger> modes = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(7);
        try (PooledDatabase replicaA = new PooledDatabase(PG.database().asDatabase(), 2);
             PooledDatabase replicaB = new PooledDatabase(PG.database().asDatabase(), 2)) {
            List<StreamTableService> replicas = List.of(new StreamTableService(replicaA), new StreamTableService(replicaB));
            for (StreamTableDefinition d : defs) {
                replicas.get(0).apply(d);
            }
            List<Future<?>> work = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                Random rnd = new Random(11 + w);
                int writer = w;
                work.add(threads.submit(() -> {
                    try (Connection c = PG.database().connect(); Statement s = c.createStatement()) {
                        c.setAutoCommit(false);
                        int seq = 1;
                        while (!stop.get()) {
                            try {
                                transfers(s, rnd);
                                one(s, "INSERT INTO ledger VALUES (" + writer + ", " + seq + ")");
                                Thread.sleep(rnd.nextInt(25)); // open across refreshes: commits after their snapshots
                                if (rnd.nextInt(10) == 0) {
                                    c.rollback();
                                } else {
                                    c.commit();
                                    committed.incrementAndGet();
                                    seq++;
                                }
                            } catch (RowGone e) {
                                c.rollback();
                            } catch (SQLException e) {
                                // the two writers deadlocked, or both reopened the same account: try again
                                if (!"40P01".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
                                    throw e;
                                }
                                c.rollback();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (StreamTableService replica : replicas) {
                Random rnd = new Random(replicas.indexOf(replica));
                work.add(threads.submit(() -> {
                    while (!stop.get()) {
                        StreamTableDefinition d = defs.get(rnd.nextInt(defs.size()));
                        RefreshResult r;
                        try {
                            r = replica.refresh(d.key()); // a failure fails the test
                        } catch (StreamTableSuspendedException suspended) {
                            continue;
                        }
                        modes.computeIfAbsent(r.mode(), m -> new AtomicInteger()).incrementAndGet();
                        replica.cleanupAfter(r);
                        Thread.sleep(rnd.nextInt(5));
                    }
                    return null;
                }));
            }
            work.add(threads.submit(() -> {
                // the operator suspends and resumes stream tables meanwhile: suspending releases their capture,
                // resuming installs it again under the writers and recomputes them in full
                Random rnd = new Random(5);
                while (!stop.get()) {
                    Thread.sleep(150 + rnd.nextInt(150));
                    StreamTableDefinition d = rnd.nextBoolean() ? defs.get(1) : defs.get(2);
                    replicas.get(0).apply(def(d.key().name(), d.query(), true));
                    suspensions.incrementAndGet();
                    Thread.sleep(rnd.nextInt(200));
                    replicas.get(0).apply(d);
                    // and changes a query without changing its columns: the table read by by_region and by the
                    // reader is recomputed in place (a recreated one would read as empty to older snapshots)
                    if (rnd.nextInt(3) == 0) {
                        ApplyResult a = replicas.get(0).apply(def("by_branch",
                                recomputes.get() % 2 == 0 ? BY_BRANCH_AGAIN : BY_BRANCH));
                        assertTrue(a.inPlace(), "by_branch keeps its columns");
                        recomputes.incrementAndGet();
                    }
                }
                return null;
            }));
            work.add(threads.submit(() -> {
                try (Connection c = PG.database().connect(); Statement s = c.createStatement()) {
                    Random rnd = new Random(3);
                    c.setAutoCommit(false);
                    while (!stop.get()) {
                        // like a report or pg_dump: a REPEATABLE READ snapshot taken a moment before the reads,
                        // so refreshes commit in between (a TRUNCATE-based FULL would then read as empty)
                        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                        s.execute("SELECT 1");
                        Thread.sleep(rnd.nextInt(4));
                        // a stream table changes only by whole refreshes: every state a reader sees is a snapshot
                        for (String table : List.of("by_branch", "by_region")) {
                            assertEquals(List.of(TOTAL + "|" + ACCOUNTS), Rows.multiset(c,
                                    "SELECT sum(total) || '|' || sum(n) FROM " + table), table);
                        }
                        // each writer's commits are numbered 1, 2, 3, …: a lost one or one applied twice
                        // makes a count differ from the highest number
                        assertEquals(List.of(), Rows.multiset(c, "SELECT writer || ': ' || n || ' commits, last '"
                                + " || last FROM journal WHERE n <> last"));
                        c.commit();
                        checks.incrementAndGet();
                    }
                }
                return null;
            }));
            Thread.sleep(8_000);
            stop.set(true);
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
            for (StreamTableDefinition d : defs) {
                replicas.get(1).refresh(d.key());
            }
        } finally {
            stop.set(true);
            threads.shutdownNow();
        }
        System.out.println("[soak] " + committed.get() + " transactions committed, refreshes by mode " + modes
                + ", " + checks.get() + " reads of the stream table, " + suspensions.get() + " suspensions, "
                + recomputes.get() + " in-place recomputes");
        assertTrue(committed.get() >= 100, "writers must have committed: " + committed.get());
        assertTrue(modes.getOrDefault("DIFFERENTIAL", new AtomicInteger()).get() >= 50, "refreshes must have run: " + modes);
        assertTrue(checks.get() >= 50, "the reader must have read: " + checks.get());
        assertTrue(suspensions.get() >= 5, "stream tables must have been suspended: " + suspensions.get());
        assertTrue(recomputes.get() >= 2, "by_branch must have been recomputed in place: " + recomputes.get());
        assertTrue(modes.getOrDefault("FULL", new AtomicInteger()).get() >= 1, "large batches must have run FULL: " + modes);
        try (Connection c = PG.database().connect()) {
            assertEquals(List.of(TOTAL + "|" + ACCOUNTS), Rows.multiset(c,
                    "SELECT sum(balance) || '|' || count(*) FROM accounts"), "the writers keep the invariant");
            assertEquals(Rows.multiset(c, BY_BRANCH), Rows.storage(c, "by_branch"));
            assertEquals(Rows.multiset(c, RICH), Rows.storage(c, "rich"));
            assertEquals(Rows.multiset(c, JOURNAL), Rows.storage(c, "journal"));
            assertEquals(Rows.multiset(c, BY_REGION), Rows.storage(c, "by_region"));
        }
    }
}
