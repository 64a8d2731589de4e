package io.pgtrickle.operator.standalone;

import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.operator.cli.StreamTableFiles;
import io.pgtrickle.operator.db.Database;
import io.pgtrickle.operator.db.InvalidQueryException;
import io.pgtrickle.operator.db.PooledDatabase;
import io.pgtrickle.operator.lifecycle.ApplyResult;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.schedule.DependencyOrder;
import io.pgtrickle.operator.schedule.RefreshScheduler;
import io.pgtrickle.operator.schedule.Schedule;
import io.pgtrickle.operator.verify.StreamTableVerifier;
import io.pgtrickle.operator.verify.Verification;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Standalone mode ({@code pgtrickle run}): applies StreamTables from files to one database and keeps
 * them fresh on their schedules with the operator's own scheduler, until interrupted or until an
 * optional duration has passed. Not a second implementation: the same service and scheduler the
 * Kubernetes operator uses.
 */
public final class StandaloneRunner {
    private final PrintStream out;
    private final PrintStream err;

    public StandaloneRunner(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** How often {@code run} prints a summary of the refreshes that changed nothing. */
    static final Duration SUMMARY_EVERY = Duration.ofMinutes(5);

    /**
     * Ctrl-C (SIGINT) and SIGTERM end the loop instead of the JVM, so that {@code run} stops its scheduler, closes
     * its connections and returns 0 as documented (the JVM's own handling exits 130 / 143). Where the platform
     * does not let us handle a signal, the shutdown hook still stops the loop.
     */
    @SuppressWarnings("restriction")
    private static void stopOnSignals(CountDownLatch stop) {
        for (String name : List.of("INT", "TERM")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
            } catch (IllegalArgumentException | UnsupportedOperationException notHere) {
                // the shutdown hook remains
            }
        }
    }

    /**
     * @param duration  stop after this long; null = until interrupted
     * @param whileRunning called every two seconds with the service while refreshes run (e.g. to print status)
     */
    public int run(Database db, List<Path> files, String namespace, Duration duration,
                   Consumer<StreamTableService> whileRunning) {
        StreamTableService service = new StreamTableService(new PooledDatabase(db, 4));
        StreamTableVerifier verifier = new StreamTableVerifier(db); // for RefreshPolicy verification.interval
        List<StreamTableDefinition> defs = new ArrayList<>();
        try {
            var policies = StreamTableFiles.policies(files);
            for (Path f : files) {
                for (StreamTable st : StreamTableFiles.read(f)) {
                    defs.add(StreamTableFiles.definition(st, namespace, policies));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        boolean quiet = whileRunning != null;
        // A line per refresh that changed something; refreshes that found nothing to do are only counted, and
        // summed up in a line every SUMMARY_EVERY (one line per empty refresh was 708 lines in 23 minutes).
        java.util.concurrent.atomic.AtomicLong unchanged = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong changed = new java.util.concurrent.atomic.AtomicLong();
        try (RefreshScheduler scheduler = new RefreshScheduler(4, Duration.ofSeconds(1), Duration.ofMinutes(5),
                new RefreshScheduler.Listener() {
                    @Override
                    public void refreshed(RefreshResult r) {
                        if (r.rows() == 0) {
                            unchanged.incrementAndGet();
                            return;
                        }
                        changed.incrementAndGet();
                        if (!quiet) {
                            out.printf("%s refreshed %s: %d rows in %.1f ms (%s)%n", Instant.now(), r.key().name(),
                                    r.rows(), r.durationMs(), r.mode());
                        }
                    }

                    @Override
                    public void failed(StreamTableKey key, RuntimeException error, int errors, Instant retryAt) {
                        err.printf("%s refresh of %s failed (%d in a row, retry at %s): %s%n", Instant.now(),
                                key.name(), errors, retryAt, error.getMessage());
                    }

                    @Override
                    public void verified(Verification.Result r) {
                        // a drift or a verification that could not run always shows; a consistent one unless quiet
                        PrintStream to = r.verdict() == Verification.Verdict.CONSISTENT ? out : err;
                        if (!quiet || to == err) {
                            to.printf("%s verified %s: %s: %s%s%n", Instant.now(), r.key().name(),
                                    r.verdict().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                                    r.message(), r.repair() == null ? "" : "; " + r.repair());
                        }
                    }
                })) {
            for (StreamTableDefinition def : defs) {
                try {
                    ApplyResult r = service.apply(def);
                    out.printf("streamtable/%s applied: table %s, %s, %d rows%n", def.key().name(),
                            r.record().qualifiedTable(), r.record().effectiveMode(), r.record().lastRefreshRows());
                } catch (InvalidQueryException e) {
                    err.println("error: " + def.key().name() + ": invalid query: " + e.getMessage() + " (hint: "
                            + e.hint() + ")");
                    return 1;
                } catch (SQLException | RuntimeException e) {
                    err.println("error: " + def.key().name() + ": " + e.getMessage());
                    return 1;
                }
            }
            for (StreamTableDefinition def : defs) {
                if (!def.suspend()) {
                    scheduler.schedule(def.key(), service, Schedule.parse(def.schedule()),
                            DependencyOrder.depth(def.key(), service::upstreamOf), def.tuning().verification(),
                            verifier);
                }
            }
            CountDownLatch stop = new CountDownLatch(1);
            Thread hook = new Thread(stop::countDown, "pgtrickle-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            stopOnSignals(stop);
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            long nextSummary = System.nanoTime() + SUMMARY_EVERY.toNanos();
            while (System.nanoTime() < deadline) {
                if (whileRunning != null) {
                    whileRunning.accept(service);
                }
                if (!quiet && System.nanoTime() >= nextSummary) {
                    nextSummary = System.nanoTime() + SUMMARY_EVERY.toNanos();
                    out.printf("%s %d refreshes in the last %s: %d changed rows, %d found nothing to do%n",
                            Instant.now(), changed.get() + unchanged.get(), SUMMARY_EVERY.toMinutes() + "m",
                            changed.getAndSet(0), unchanged.getAndSet(0));
                }
                long waitMs = Math.min(2000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (stop.await(waitMs, TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already exiting: nothing to remove
            }
            return 0;
        } catch (SQLException e) {
            err.println("error: database error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
