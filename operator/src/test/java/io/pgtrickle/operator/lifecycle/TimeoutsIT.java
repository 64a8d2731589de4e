package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.refresh.RefreshFailedException;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RefreshPolicy's statementTimeout and lockTimeout bound an apply's load and every refresh: a query that
 * runs too long, or a lock held elsewhere, fails the apply or refresh whole with a message naming the limit,
 * and leaves nothing behind (no table, no catalog row, no lock).
 */
class TimeoutsIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static StreamTableService service;
    private static final RefreshTuning TIGHT = new RefreshTuning(0.15, true, Duration.ofMillis(500), Duration.ofMillis(300));
    /** Seconds of work for PostgreSQL, with no volatile function (which the query check refuses). */
    private static final String SLOW = "SELECT count(*) AS n FROM big a CROSS JOIN big b WHERE a.v <> b.v";

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE big (id int PRIMARY KEY, v int)",
                "INSERT INTO big SELECT i, i % 97 FROM generate_series(1, 20000) i",
                "CREATE TABLE small (id int PRIMARY KEY, v int)", "INSERT INTO small VALUES (1, 1)");
        service = new StreamTableService(PG.database().asDatabase());
    }

    private static StreamTableDefinition def(String name, String query) {
        return new StreamTableDefinition(new StreamTableKey("default", name), "uid-" + name, QualifiedName.parse(name),
                query, RefreshMode.AUTO, "1m", false, ReclaimPolicy.Delete, 1L).withTuning(TIGHT);
    }

    @Test
    void aLoadPastTheStatementTimeoutFailsNamingTheLimitAndLeavesNothing() throws Exception {
        ApplyFailedException e = assertThrows(ApplyFailedException.class, () -> service.apply(def("slow", SLOW)));
        assertTrue(e.getMessage().contains("statementTimeout (500ms)"), e.getMessage());
        assertTrue(e.getMessage().contains("default/slow"), e.getMessage());
        assertTrue(e.hint().contains("spec.statementTimeout"), e.hint());
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_class WHERE relname = 'slow'"), "no table");
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pgtrickle.stream_tables WHERE name = 'slow'"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    + " WHERE a.application_name = 'pgtrickle' AND a.pid <> pg_backend_pid()"), "no lock held");
        }
    }

    @Test
    void aLockHeldElsewhereFailsTheApplyWithinTheLockTimeout() throws Exception {
        StreamTableDefinition d = def("small_copy", "SELECT id, v FROM small");
        service.apply(d);
        try (Connection holder = PG.database().connect(); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE small IN ACCESS EXCLUSIVE MODE");
            long t0 = System.nanoTime();
            ApplyFailedException apply = assertThrows(ApplyFailedException.class,
                    () -> service.apply(def("small_copy", "SELECT id, v, v + 1 AS w FROM small")));
            assertTrue(apply.getMessage().contains("lockTimeout (300ms)"), apply.getMessage());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "it did not wait for the lock");
            holder.rollback();
        }
        PG.database().exec("INSERT INTO small VALUES (2, 2)");
        service.refresh(d.key());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, v FROM small"), Rows.storage(c, "small_copy"));
        }
    }

    @Test
    void aRefreshPastTheStatementTimeoutFailsWholeNamingTheLimit() throws Exception {
        String query = "SELECT a.v, count(*) AS n FROM big a JOIN big b ON a.v = b.v GROUP BY a.v";
        StreamTableDefinition loose = def("pairs", query).withTuning(RefreshTuning.DEFAULTS);
        service.apply(new StreamTableDefinition(loose.key(), loose.uid(), loose.table(), query, RefreshMode.FULL,
                "1m", false, ReclaimPolicy.Delete, 1L));
        service.apply(new StreamTableDefinition(loose.key(), loose.uid(), loose.table(), query, RefreshMode.FULL,
                "1m", false, ReclaimPolicy.Delete, 2L).withTuning(
                new RefreshTuning(0.15, true, Duration.ofMillis(50), Duration.ofSeconds(5))));
        try (Connection c = PG.database().connect()) {
            List<String> before = Rows.storage(c, "pairs");
            PG.database().exec("UPDATE big SET v = v + 1 WHERE id <= 5");
            RefreshFailedException e = assertThrows(RefreshFailedException.class, () -> service.refresh(loose.key()));
            assertTrue(e.getMessage().contains("statement timeout"), e.getMessage());
            assertTrue(e.hint().contains("statement timeout"), e.hint());
            assertEquals(before, Rows.storage(c, "pairs"), "the refresh changed nothing");
        }
    }
}
