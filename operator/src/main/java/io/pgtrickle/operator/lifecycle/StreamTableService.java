package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.operator.catalog.CatalogSchema;
import io.pgtrickle.operator.catalog.CatalogStore;
import io.pgtrickle.operator.catalog.RefreshHistory;
import io.pgtrickle.operator.catalog.StorageGuard;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.operator.cdc.ChangeCapture;
import io.pgtrickle.operator.db.CheckedQuery;
import io.pgtrickle.operator.db.InvalidQueryException;
import io.pgtrickle.operator.refresh.RefreshTransaction;
import io.pgtrickle.operator.refresh.StreamTableLock;
import io.pgtrickle.operator.db.Database;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.db.QueryChecker;
import io.pgtrickle.operator.refresh.RefreshFailedException;
import io.pgtrickle.operator.refresh.StreamTableSuspendedException;
import io.pgtrickle.operator.refresh.RefreshResult;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lifecycle of stream tables in one target database: install (apply), refresh, delete,
 * report. The Kubernetes reconciler and the CLI both call exactly this class; they differ only in
 * where definitions come from and where status goes.
 *
 * <p>Every operation is one transaction: it either commits completely or leaves the database as it
 * was. A per-stream-table advisory lock taken inside the transaction makes concurrent callers
 * (two operator replicas, an operator and a CLI) take turns instead of interleaving.
 */
public final class StreamTableService {
    /** The reason recorded for the load of a new (or rebuilt) storage table: status shows it as a load. */
    public static final String LOADED_BY_APPLY = "loaded by apply";
    /** The reason recorded when apply recomputed an existing table in place for a changed query. */
    public static final String RECOMPUTED_BY_APPLY = "recomputed in place by apply (the query changed)";

    private final Database db;
    /** Refreshes of each stream table by this service, for the history retention in {@link #cleanupAfter}. */
    private final Map<StreamTableKey, Integer> refreshes = new ConcurrentHashMap<>();

    private final StreamTableInstall install;

    public StreamTableService(Database db) {
        this.db = Objects.requireNonNull(db);
        this.install = new StreamTableInstall(db);
    }

    /**
     * Creates or updates the stream table. A new or changed query (re)builds and loads the storage
     * table; a change of schedule or suspension only updates the catalog.
     *
     * @throws io.pgtrickle.operator.db.InvalidQueryException when the query cannot define a stream table
     * @throws StreamTableConflictException when the storage table belongs to something else
     * @throws ModeDecision.UnsupportedModeException when the requested mode is not available
     */
    public ApplyResult apply(StreamTableDefinition def) throws SQLException {
        try {
            try {
                return install.install(def, null);
            } catch (IncrementalPlanCheck.Rejected rejected) {
                // PostgreSQL judged the incremental plan and rejected it: the same apply, in FULL, with the reason
                return install.install(def, rejected.reason()).withRejectedPlan(rejected.reason());
            }
        } catch (SQLException e) {
            if (DatabaseErrors.connectionLost(e)) {
                throw e;
            }
            throw new ApplyFailedException(def, e);
        } catch (InvalidQueryException | ModeDecision.UnsupportedModeException | InvalidSpecException e) {
            // The stream table stops refreshing until its spec is fixed (its source may have changed under it):
            // it must not keep captured changes piling up meanwhile. Best effort: the spec's error is what
            // the user needs to see; the next re-apply tries again.
            try {
                releaseHold(def);
            } catch (SQLException | RuntimeException notNow) {
                e.addSuppressed(notNow);
            }
            throw e;
        }
    }

    /**
     * Releases the changes an installed stream table holds, as a suspension does: no frontier (the next
     * refresh recomputes in full), and capture removed from sources no other stream table reads.
     */
    private void releaseHold(StreamTableDefinition def) throws SQLException {
        withOwnedRow(def.key(), def.uid(), null, (c, store, rec) -> {
            store.releaseFrontier(def.key().namespace(), def.key().name());
            ChangeCapture.dropUnused(c, def.key().namespace(), def.key().name());
            return null;
        });
    }

    /** Work on a stream table's catalog row, locked, in the transaction that {@link #withOwnedRow} commits. */
    @FunctionalInterface
    private interface OwnedRowWork<T> {
        T run(Connection c, CatalogStore store, StreamTableRecord row) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction holding the stream table's lock and its catalog row, when the
     * row exists and belongs to the resource {@code uid}; otherwise returns {@code absent}, changing nothing.
     */
    private <T> T withOwnedRow(StreamTableKey key, String uid, T absent, OwnedRowWork<T> work) throws SQLException {
        try (Connection c = db.connect()) {
            if (!CatalogSchema.exists(c)) {
                return absent;
            }
            c.setAutoCommit(false);
            try {
                StreamTableLock.lockTransaction(c, key);
                CatalogStore store = new CatalogStore(c);
                Optional<StreamTableRecord> rec = store.findForUpdate(key.namespace(), key.name());
                T out = rec.isPresent() && rec.get().resourceUid().equals(uid) ? work.run(c, store, rec.get()) : absent;
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * What {@code apply} would install, without changing anything: the effective mode and why, the
     * sources captured and the generated SQL. Refuses what apply would refuse (the query, a table conflict,
     * a missing schema, a mode that cannot be honoured), with the same exceptions.
     */
    public Explanation explain(StreamTableDefinition def) throws SQLException {
        try (Connection c = db.connect()) {
            CheckedQuery checked = QueryChecker.check(c, def.query(), def.tuning().lockTimeout());
            StreamTableInstall.refuseAsApplyWould(c, def);
            Plan plan = StreamTableInstall.plan(c, checked);
            ModeDecision d = ModeDecision.decide(def.refreshMode(), plan); // refuses a mode apply would refuse
            String mode = d.effectiveMode();
            String reason = d.reason();
            if (!mode.equals("DIFFERENTIAL")) {
                plan = StreamTableInstall.fullPlan(c, checked.sql(), plan); // as apply installs it
                reason = StreamTableInstall.modeReason(mode, reason, !plan.sources().isEmpty());
            }
            String table = def.table().sql();
            String prev = RefreshTransaction.previousFrontier(def.key());
            return new Explanation(mode, reason, plan.reasons(), plan.sources(), plan.storageDdl(table),
                    plan.deltaSelectSql(table, prev),
                    plan.isDifferential() ? String.join(";\n", plan.refreshSql(table, prev)) : null,
                    plan.readSql(table));
        }
    }

    /**
     * Refreshes one stream table now, in one transaction; on failure the storage table is
     * unchanged and the error is recorded in the catalog.
     *
     * @throws NoSuchStreamTableException when no such stream table is installed
     * @throws RefreshFailedException when the refresh did not commit
     */
    public RefreshResult refresh(StreamTableKey key) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = db.connect()) {
                Instant start = Instant.now();
                long t0 = System.nanoTime();
                try {
                    return RefreshTransaction.run(c, key);
                } catch (NoSuchStreamTableException | StreamTableSuspendedException e) {
                    throw e;
                } catch (SQLException e) {
                    if (attempt == 1 && DatabaseErrors.connectionLost(e)) {
                        // A refresh commits completely or not at all, and the next one starts from whatever
                        // frontier committed: one that lost its connection (a switchover, a restart, a pooled
                        // connection the server closed) simply runs again, on a new connection.
                        continue;
                    }
                    if ("42P01".equals(e.getSQLState()) && !CatalogSchema.exists(c)) {
                        throw new NoSuchStreamTableException(key);
                    }
                    throw failed(c, key, start, t0, e);
                } catch (RuntimeException e) {
                    throw failed(c, key, start, t0, e);
                }
            }
        }
    }

    /**
     * Housekeeping after a refresh: deletes change-buffer rows every consumer has consumed, vacuums a
     * storage table a large FULL refresh left dead rows in, and every {@link RefreshHistory#PRUNE_EVERY}
     * refreshes applies the history retention. Kept
     * out of {@link #refresh} so the refresh returns as soon as its result is committed.
     */
    public void cleanupAfter(RefreshResult result) {
        boolean prune = pruneNow(result.key());
        if (result.consumedSources().isEmpty() && !prune && result.vacuumStorage() == null) {
            return;
        }
        try (Connection c = db.connect()) {
            RefreshTransaction.cleanup(c, result);
            if (prune) {
                RefreshHistory.prune(c, result.key().namespace(), result.key().name());
            }
        } catch (SQLException postponed) {
            // the next refresh consuming these sources (or the next pruning) tries again
        }
    }

    /** Whether this refresh (or failed one) of {@code key} is one after which the history retention runs. */
    private boolean pruneNow(StreamTableKey key) {
        return refreshes.merge(key, 1, Integer::sum) % RefreshHistory.PRUNE_EVERY == 1;
    }

    private RefreshFailedException failed(Connection c, StreamTableKey key, Instant start, long t0,
                                          Exception e) throws SQLException {
        String message = "refresh of stream table " + key + " failed: " + DatabaseErrors.describe(e);
        String hint = DatabaseErrors.hint(e);
        if (c.isValid(2)) {
            c.setAutoCommit(true);
            new CatalogStore(c).recordError(key.namespace(), key.name(), start, millisSince(t0), "REFRESH",
                    message, hint);
            if (pruneNow(key)) {
                // a stream table that fails at every refresh writes a history row each time too
                RefreshHistory.prune(c, key.namespace(), key.name());
            }
        }
        return new RefreshFailedException(message, hint, e);
    }

    /**
     * Removes what was installed for the resource {@code uid}. Drops nothing for a resource that
     * never reconciled or whose name is held by another resource.
     */
    public DeleteOutcome delete(StreamTableKey key, String uid, ReclaimPolicy reclaim) throws SQLException {
        return withOwnedRow(key, uid, DeleteOutcome.NOTHING_INSTALLED, (c, store, rec) -> {
            QualifiedName storage = new QualifiedName(rec.storageSchema(), rec.storageTable());
            String table = storage.sql();
            if (reclaim == ReclaimPolicy.Delete) {
                ChangeCapture.releaseTable(c, table);
                try (var s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + table);
                }
            } else if (StreamTableInstall.relationExists(c, storage)) {
                try (var s = c.createStatement()) {
                    s.execute(StorageGuard.removeSql(table)); // the table is the user's from now on
                    // without the engine's columns (row identity, copies, aggregate states), whose key would refuse
                    // the user's own inserts
                    String drops;
                    try (var rs = s.executeQuery("SELECT string_agg('DROP COLUMN ' || quote_ident(attname), ', ')"
                            + " FROM pg_attribute WHERE attrelid = " + io.pgtrickle.operator.db.Identifiers.literal(table)
                            + "::regclass AND attnum > 0 AND NOT attisdropped AND attname LIKE '\\_\\_pgt\\_%'")) {
                        rs.next();
                        drops = rs.getString(1);
                    }
                    if (drops != null) {
                        s.execute("ALTER TABLE " + table + " " + drops);
                    }
                }
            }
            store.delete(key.namespace(), key.name());
            ChangeCapture.dropUnused(c);
            return reclaim == ReclaimPolicy.Delete ? DeleteOutcome.DROPPED : DeleteOutcome.RETAINED;
        });
    }

    /** All stream tables installed in this database. */
    public List<StreamTableRecord> list() throws SQLException {
        try (Connection c = db.connect()) {
            if (!CatalogSchema.exists(c)) {
                return List.of();
            }
            return new CatalogStore(c).list();
        }
    }

    public Optional<StreamTableRecord> find(StreamTableKey key) throws SQLException {
        try (Connection c = db.connect()) {
            if (!CatalogSchema.exists(c)) {
                return Optional.empty();
            }
            return new CatalogStore(c).find(key.namespace(), key.name());
        }
    }

    /** Keys of the installed stream tables that {@code key} reads directly. */
    public List<StreamTableKey> upstreamOf(StreamTableKey key) throws SQLException {
        try (Connection c = db.connect()) {
            if (!CatalogSchema.exists(c)) {
                return List.of();
            }
            return new CatalogStore(c).upstreamOf(key.namespace(), key.name()).stream()
                    .map(a -> new StreamTableKey(a[0], a[1])).toList();
        }
    }

    static double millisSince(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0).toNanos() / 1e6;
    }
}
