package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.operator.catalog.CatalogSchema;
import io.pgtrickle.operator.catalog.CatalogStore;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.db.CheckedQuery;
import io.pgtrickle.operator.db.Database;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.db.QueryChecker;
import io.pgtrickle.operator.refresh.FullRefresh;
import io.pgtrickle.operator.refresh.RefreshFailedException;
import io.pgtrickle.operator.refresh.RefreshResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
    private final Database db;

    public StreamTableService(Database db) {
        this.db = Objects.requireNonNull(db);
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
        ModeDecision mode = ModeDecision.decide(def.refreshMode());
        try (Connection c = db.connect()) {
            CatalogSchema.ensure(c);
            CheckedQuery checked = QueryChecker.check(c, def.query());
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                lock(c, def.key());
                CatalogStore store = new CatalogStore(c);
                Optional<StreamTableRecord> existing = store.findForUpdate(def.key().namespace(), def.key().name());
                checkOwnership(c, store, def, existing);
                boolean rebuild = existing.isEmpty()
                        || !existing.get().query().equals(checked.sql())
                        || !existing.get().effectiveMode().equals(mode.effectiveMode());
                StreamTableRecord row = new StreamTableRecord(def.key().namespace(), def.key().name(), def.uid(),
                        def.table().schema(), def.table().table(), checked.sql(), def.refreshMode().name(),
                        mode.effectiveMode(), mode.reason(), def.schedule(), def.suspend(), def.generation(),
                        null, null, null, null, 0, null, null, null);
                if (rebuild) {
                    if (existing.isPresent()) {
                        try (var s = c.createStatement()) {
                            s.execute("DROP TABLE IF EXISTS " + def.table().sql());
                        }
                    }
                    FullRefresh.createStorage(c, def.table(), checked.sql());
                    store.upsertDefinition(row);
                    store.replaceSources(def.key().namespace(), def.key().name(), checked.sources());
                    Instant start = Instant.now();
                    long t0 = System.nanoTime();
                    long rows = FullRefresh.run(c, def.table(), checked.sql());
                    store.recordRefresh(def.key().namespace(), def.key().name(), start, millisSince(t0), rows, "FULL");
                } else {
                    store.upsertDefinition(row);
                }
                c.commit();
                return new ApplyResult(store.find(def.key().namespace(), def.key().name()).orElseThrow(), rebuild);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
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
        try (Connection c = db.connect()) {
            if (!catalogExists(c)) {
                throw new NoSuchStreamTableException(key);
            }
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Instant start = Instant.now();
            long t0 = System.nanoTime();
            StreamTableRecord rec = null;
            try {
                lock(c, key);
                CatalogStore store = new CatalogStore(c);
                rec = store.findForUpdate(key.namespace(), key.name())
                        .orElseThrow(() -> new NoSuchStreamTableException(key));
                QualifiedName table = new QualifiedName(rec.storageSchema(), rec.storageTable());
                long rows = FullRefresh.run(c, table, rec.query());
                double ms = millisSince(t0);
                store.recordRefresh(key.namespace(), key.name(), start, ms, rows, "FULL");
                c.commit();
                return new RefreshResult(key, start, ms, rows, "FULL");
            } catch (NoSuchStreamTableException e) {
                c.rollback();
                throw e;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                String message = "refresh failed: " + DatabaseErrors.describe(e);
                String hint = DatabaseErrors.hint(e);
                if (rec != null && c.isValid(2)) {
                    c.setAutoCommit(true);
                    new CatalogStore(c).recordError(key.namespace(), key.name(), start, millisSince(t0), "FULL",
                            message, hint);
                }
                throw new RefreshFailedException(message, hint, e);
            }
        }
    }

    /**
     * Removes what was installed for the resource {@code uid}. Drops nothing for a resource that
     * never reconciled or whose name is held by another resource.
     */
    public DeleteOutcome delete(StreamTableKey key, String uid, ReclaimPolicy reclaim) throws SQLException {
        try (Connection c = db.connect()) {
            if (!catalogExists(c)) {
                return DeleteOutcome.NOTHING_INSTALLED;
            }
            c.setAutoCommit(false);
            try {
                lock(c, key);
                CatalogStore store = new CatalogStore(c);
                Optional<StreamTableRecord> rec = store.findForUpdate(key.namespace(), key.name());
                if (rec.isEmpty() || !rec.get().resourceUid().equals(uid)) {
                    c.rollback();
                    return DeleteOutcome.NOTHING_INSTALLED;
                }
                if (reclaim == ReclaimPolicy.Delete) {
                    try (var s = c.createStatement()) {
                        s.execute("DROP TABLE IF EXISTS "
                                + new QualifiedName(rec.get().storageSchema(), rec.get().storageTable()).sql());
                    }
                }
                store.delete(key.namespace(), key.name());
                c.commit();
                return reclaim == ReclaimPolicy.Delete ? DeleteOutcome.DROPPED : DeleteOutcome.RETAINED;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** All stream tables installed in this database. */
    public List<StreamTableRecord> list() throws SQLException {
        try (Connection c = db.connect()) {
            if (!catalogExists(c)) {
                return List.of();
            }
            return new CatalogStore(c).list();
        }
    }

    public Optional<StreamTableRecord> find(StreamTableKey key) throws SQLException {
        try (Connection c = db.connect()) {
            if (!catalogExists(c)) {
                return Optional.empty();
            }
            return new CatalogStore(c).find(key.namespace(), key.name());
        }
    }

    /** Keys of the installed stream tables that {@code key} reads directly. */
    public List<StreamTableKey> upstreamOf(StreamTableKey key) throws SQLException {
        try (Connection c = db.connect()) {
            if (!catalogExists(c)) {
                return List.of();
            }
            return new CatalogStore(c).upstreamOf(key.namespace(), key.name()).stream()
                    .map(a -> new StreamTableKey(a[0], a[1])).toList();
        }
    }

    private static void checkOwnership(Connection c, CatalogStore store, StreamTableDefinition def,
                                       Optional<StreamTableRecord> existing) throws SQLException {
        Optional<StreamTableRecord> owner = store.findByTable(def.table());
        if (owner.isPresent() && !(owner.get().namespace().equals(def.key().namespace())
                && owner.get().name().equals(def.key().name()))) {
            throw new StreamTableConflictException("table " + def.table() + " is already maintained by stream table "
                    + owner.get().namespace() + "/" + owner.get().name(),
                    "choose another spec.table, or delete that stream table first");
        }
        if (existing.isPresent()) {
            StreamTableRecord e = existing.get();
            if (!e.resourceUid().equals(def.uid())) {
                throw new StreamTableConflictException("stream table " + def.key() + " in this database belongs to"
                        + " another resource (uid " + e.resourceUid() + ")",
                        "delete the other resource first, or use another name");
            }
            if (!e.storageSchema().equals(def.table().schema()) || !e.storageTable().equals(def.table().table())) {
                throw new StreamTableConflictException("spec.table is immutable: stream table " + def.key()
                        + " maintains " + e.qualifiedTable() + ", not " + def.table(),
                        "delete the stream table and create it again with the new table");
            }
        } else if (relationExists(c, def.table())) {
            throw new StreamTableConflictException("table " + def.table()
                    + " already exists and was not created by pg-trickle",
                    "choose another spec.table, or drop or rename the existing table");
        }
    }

    private static boolean relationExists(Connection c, QualifiedName t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT 1 FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
                 WHERE n.nspname = ? AND r.relname = ?""")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean catalogExists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('pgtrickle.stream_tables') IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Fences concurrent refreshers of the same stream table (DESIGN.md §3). */
    private static void lock(Connection c, StreamTableKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            ps.setString(1, "pgtrickle:" + key);
            ps.execute();
        }
    }

    private static double millisSince(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0).toNanos() / 1e6;
    }
}
