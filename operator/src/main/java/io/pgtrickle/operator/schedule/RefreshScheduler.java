package io.pgtrickle.operator.schedule;

import io.pgtrickle.operator.lifecycle.NoSuchStreamTableException;
import io.pgtrickle.operator.lifecycle.RefreshTuning;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.refresh.RefreshFailedException;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.refresh.StreamTableSuspendedException;
import io.pgtrickle.operator.verify.StreamTableVerifier;
import io.pgtrickle.operator.verify.Verification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs refreshes when they are due. One tick thread finds due stream tables and hands them to a
 * bounded worker pool; a stream table is never refreshed by two workers at once, upstream stream
 * tables go before downstream ones that are due at the same tick, and failures back off
 * exponentially. Used by the Kubernetes operator and by {@code pgtrickle run}/{@code demo} alike.
 *
 * <p>It also runs the verifications a RefreshPolicy asks for ({@code verification.interval}), on the same workers:
 * a stream table is never refreshed and verified at once, and a refresh that is due goes first.
 */
public final class RefreshScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshScheduler.class);
    private static final long TICK_MILLIS = 50;

    /** Receives every refresh outcome, from a worker thread. */
    public interface Listener {
        void refreshed(RefreshResult result);

        void failed(StreamTableKey key, RuntimeException error, int consecutiveErrors, Instant retryAt);

        /** A scheduled verification's outcome (with its repair, if one ran). */
        default void verified(Verification.Result result) {
        }
    }

    /** Differing rows a scheduled verification keeps each way (for the log: the status shows only counts). */
    static final int VERIFY_SAMPLE = 3;

    /** What the scheduler knows about one stream table. */
    private static final class Entry {
        final StreamTableKey key;
        final StreamTableService service;
        final Schedule schedule;
        final int depth;
        final RefreshTuning.Verifying verifying;
        final StreamTableVerifier verifier;
        volatile Instant due;
        /** When the next verification is due; null when verification is off. */
        volatile Instant verifyDue;
        volatile boolean running;
        int errors;

        Entry(StreamTableKey key, StreamTableService service, Schedule schedule, int depth, Instant due,
              RefreshTuning.Verifying verifying, StreamTableVerifier verifier) {
            this.key = key;
            this.service = service;
            this.schedule = schedule;
            this.depth = depth;
            this.due = due;
            this.verifying = verifying;
            this.verifier = verifier;
            this.verifyDue = verifying.enabled() && verifier != null ? due.plus(verifying.interval()) : null;
        }
    }

    private final Map<StreamTableKey, Entry> entries = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    private final ExecutorService workers;
    private final Listener listener;
    private final Clock clock;
    private final Duration minBackoff;
    private final Duration maxBackoff;

    public RefreshScheduler(int maxConcurrentRefreshes, Duration minBackoff, Duration maxBackoff, Listener listener) {
        this(maxConcurrentRefreshes, minBackoff, maxBackoff, listener, Clock.systemUTC());
    }

    RefreshScheduler(int maxConcurrentRefreshes, Duration minBackoff, Duration maxBackoff, Listener listener,
                     Clock clock) {
        this.listener = listener;
        this.clock = clock;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "pgtrickle-scheduler"));
        this.workers = Executors.newFixedThreadPool(maxConcurrentRefreshes, r -> daemon(r, "pgtrickle-refresh"));
        ticker.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts (or restarts) scheduling {@code key}; the first refresh is one interval from now, since
     * {@code apply} has just loaded the table.
     *
     * @param depth how many stream tables lie upstream of this one (0 = reads only plain tables)
     */
    public void schedule(StreamTableKey key, StreamTableService service, Schedule schedule, int depth) {
        schedule(key, service, schedule, depth, RefreshTuning.Verifying.OFF, null);
    }

    /**
     * As above, and verifies it as {@code verifying} says (the first time one interval after the first refresh),
     * with {@code verifier}, which must reach the database {@code service} does: an unchanged schedule, service and
     * verification keep their due times, whatever verifier comes with them.
     */
    public void schedule(StreamTableKey key, StreamTableService service, Schedule schedule, int depth,
                         RefreshTuning.Verifying verifying, StreamTableVerifier verifier) {
        Entry old = entries.get(key);
        if (old != null && old.schedule.equals(schedule) && old.service == service && old.depth == depth
                && old.verifying.equals(verifying) && (old.verifier == null) == (verifier == null)) {
            return;
        }
        entries.put(key, new Entry(key, service, schedule, depth, schedule.nextAfter(clock.instant()), verifying,
                verifier));
    }

    /** Stops scheduling {@code key} (suspended or deleted); a running refresh finishes. */
    public void cancel(StreamTableKey key) {
        entries.remove(key);
    }

    public boolean isScheduled(StreamTableKey key) {
        return entries.containsKey(key);
    }

    /** Next planned refresh of {@code key}, if scheduled. */
    public Instant nextRefresh(StreamTableKey key) {
        Entry e = entries.get(key);
        return e == null ? null : e.due;
    }

    private void tick() {
        try {
            Instant now = clock.instant();
            List<Entry> due = new ArrayList<>();
            List<Entry> verify = new ArrayList<>();
            for (Entry e : entries.values()) {
                if (!e.running && !e.due.isAfter(now)) {
                    due.add(e);
                } else if (!e.running && e.verifyDue != null && !e.verifyDue.isAfter(now)) {
                    verify.add(e);
                }
            }
            due.sort(Comparator.comparingInt((Entry e) -> e.depth).thenComparing(e -> e.key.toString()));
            for (Entry e : due) {
                e.running = true;
                workers.execute(() -> run(e));
            }
            for (Entry e : verify) {
                e.running = true;
                workers.execute(() -> verify(e));
            }
        } catch (RuntimeException ex) {
            LOG.error("scheduler tick failed: {}", ex.toString());
        }
    }

    private void run(Entry e) {
        try {
            RefreshResult r = e.service.refresh(e.key);
            e.errors = 0;
            e.due = e.schedule.nextAfter(clock.instant());
            listener.refreshed(r);
            e.service.cleanupAfter(r);
        } catch (NoSuchStreamTableException ex) {
            // Deleted behind our back (e.g. by another operator replica): stop, don't spin.
            entries.remove(e.key, e);
            listener.failed(e.key, ex, ++e.errors, null);
        } catch (StreamTableSuspendedException ex) {
            // Suspended by another apply (a replica, the CLI) since this was scheduled: not a failure.
            entries.remove(e.key, e);
        } catch (Exception ex) {
            e.errors++;
            Instant retry = clock.instant().plus(backoff(e.errors));
            Instant scheduled = e.schedule.nextAfter(clock.instant());
            e.due = retry.isBefore(scheduled) ? retry : scheduled;
            RuntimeException rex = ex instanceof RuntimeException r ? r
                    : new RefreshFailedException("refresh failed: " + ex.getMessage(), null, ex);
            LOG.warn("refresh of {} failed ({} in a row): {}", e.key, e.errors, rex.getMessage());
            listener.failed(e.key, rex, e.errors, e.due);
        } finally {
            e.running = false;
        }
    }

    /** One scheduled verification; the next is due one interval after this one ends. */
    private void verify(Entry e) {
        try {
            Verification.Result r = e.verifier.verify(e.key, VERIFY_SAMPLE, e.verifying.repair());
            if (r.verdict() == Verification.Verdict.DIFFERS) {
                LOG.warn("verification of {}: {}; missing rows, e.g. {}; extra rows, e.g. {}{}", e.key, r.message(),
                        r.difference().missingSample(), r.difference().extraSample(),
                        r.repair() == null ? "" : "; " + r.repair());
            }
            listener.verified(r);
        } catch (RuntimeException ex) {
            LOG.warn("verification of {} failed: {}", e.key, ex.toString());
        } finally {
            e.verifyDue = clock.instant().plus(e.verifying.interval());
            e.running = false;
        }
    }

    Duration backoff(int errors) {
        Duration d = minBackoff.multipliedBy(1L << Math.min(errors - 1, 20));
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
