package io.pgtrickle.operator.schedule;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.RefreshTuning;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import io.pgtrickle.operator.verify.StreamTableVerifier;
import io.pgtrickle.operator.verify.Verification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler verifies a stream table on the interval of its RefreshPolicy's {@code verification}, reports each
 * outcome to its listener, and repairs a drift when told to.
 */
class ScheduledVerificationIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private final BlockingQueue<Verification.Result> verified = new LinkedBlockingQueue<>();

    private Verification.Result next(Predicate<Verification.Result> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Verification.Result r = verified.poll(1, TimeUnit.SECONDS);
            if (r != null && wanted.test(r)) {
                return r;
            }
        }
        throw new AssertionError("no such verification within 20 s");
    }

    @Test
    void verifiesOnTheIntervalAndRepairsWhenTold() throws Exception {
        PG.database().exec("CREATE TABLE src (id int PRIMARY KEY, g int)",
                "INSERT INTO src SELECT i, i % 5 FROM generate_series(1, 100) i");
        StreamTableService service = new StreamTableService(PG.database().asDatabase());
        StreamTableKey key = new StreamTableKey("sched", "by_g");
        service.apply(new StreamTableDefinition(key, "uid-by_g", QualifiedName.parse("by_g"),
                "SELECT g, count(*) AS n FROM src GROUP BY g", RefreshMode.AUTO, "1s", false, ReclaimPolicy.Delete,
                1L));
        StreamTableVerifier verifier = new StreamTableVerifier(PG.database().asDatabase());
        try (RefreshScheduler scheduler = new RefreshScheduler(2, Duration.ofSeconds(1), Duration.ofSeconds(5),
                new RefreshScheduler.Listener() {
                    @Override
                    public void refreshed(RefreshResult result) {
                    }

                    @Override
                    public void failed(StreamTableKey k, RuntimeException error, int errors, Instant retryAt) {
                    }

                    @Override
                    public void verified(Verification.Result result) {
                        verified.add(result);
                    }
                })) {
            scheduler.schedule(key, service, Schedule.parse("1s"), 0,
                    new RefreshTuning.Verifying(Duration.ofMillis(300), false), verifier);
            assertEquals(key, next(r -> r.verdict() == Verification.Verdict.CONSISTENT).key());

            PG.database().exec("SET pgtrickle.maintaining = on; UPDATE by_g SET n = 0 WHERE g = 1");
            Verification.Result drift = next(r -> r.verdict() == Verification.Verdict.DIFFERS);
            assertNull(drift.repair(), "repair is off");
            assertEquals(1, drift.difference().missing());
            assertEquals(1, drift.difference().extra());
            assertTrue(drift.difference().missingSample().get(0).startsWith("(1,"), drift.difference().toString());

            // the same schedule with repair on
            scheduler.schedule(key, service, Schedule.parse("1s"), 0,
                    new RefreshTuning.Verifying(Duration.ofMillis(300), true), verifier);
            Verification.Result repaired = next(r -> r.repair() != null);
            assertNotNull(repaired.difference());
            assertTrue(repaired.repair().startsWith("repaired by a FULL refresh"), repaired.repair());
            next(r -> r.verdict() == Verification.Verdict.CONSISTENT);
        }
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT g, count(*) FROM src GROUP BY g"), Rows.storage(c, "by_g"));
        }
    }
}
