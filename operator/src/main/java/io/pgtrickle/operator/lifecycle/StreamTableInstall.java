package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.operator.catalog.CatalogSchema;
import io.pgtrickle.operator.catalog.CatalogStore;
import io.pgtrickle.operator.catalog.InstalledRefresh;
import io.pgtrickle.operator.catalog.StorageGuard;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.Planner;
import io.pgtrickle.dvm.plan.SourceUse;
import io.pgtrickle.operator.cdc.ChangeCapture;
import io.pgtrickle.operator.db.CheckedQuery;
import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.db.JdbcCatalog;
import io.pgtrickle.operator.refresh.FullRefresh;
import io.pgtrickle.operator.refresh.RefreshTransaction;
import io.pgtrickle.operator.refresh.StreamTableLock;
import java.sql.Statement;
import io.pgtrickle.operator.db.Database;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.db.QueryChecker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The install path of {@link StreamTableService#apply}: check the query, plan it (PostgreSQL judging the plan),
 * install capture, create and load the storage table and write the catalog, in one transaction; and the
 * planning helpers {@code explain} shares. Split from the service so that each stays one responsibility.
 */
final class StreamTableInstall {
    private static final String LOADED = StreamTableService.LOADED_BY_APPLY;
    private static final String RECOMPUTED = StreamTableService.RECOMPUTED_BY_APPLY;

    private final Database db;

    StreamTableInstall(Database db) {
        this.db = db;
    }

    /**
     * One attempt at {@link #apply}. {@code rejectedPlan}, when not null, is why the incremental plan was
     * rejected by an earlier attempt: the stream table is then installed in FULL with that reason.
     */
    ApplyResult install(StreamTableDefinition def, String rejectedPlan) throws SQLException {
        try (Connection c = db.connect()) {
            CatalogSchema.ensure(c);
            CheckedQuery checked = QueryChecker.check(c, def.query(), def.tuning().lockTimeout());
            Plan plan = plan(c, checked);
            if (rejectedPlan != null) {
                // the sources the incremental plan read are the query's: FULL may still skip unchanged refreshes
                plan = fullLayout(checked.sql(), List.of(rejectedPlan), plan.sources());
            }
            ModeDecision mode = ModeDecision.decide(def.refreshMode(), plan);
            boolean differential = mode.effectiveMode().equals("DIFFERENTIAL");
            if (!differential) {
                plan = fullPlan(c, checked.sql(), plan);
            }
            Optional<StreamTableRecord> before = new CatalogStore(c).find(def.key().namespace(), def.key().name());
            // Capture: every source of a DIFFERENTIAL stream table; for FULL, the sources of a query whose result
            // depends on them alone, so that a refresh with no change since the last one recomputes nothing.
            boolean captured = !plan.sources().isEmpty();
            List<Long> planned = plan.sources().stream().map(SourceUse::oid).toList();
            List<Long> stored = before.isEmpty() ? List.of()
                    : new CatalogStore(c).sourceOids(def.key().namespace(), def.key().name());
            // a storage table dropped by hand: made anew and loaded (and said so), instead of every apply and
            // refresh failing on a relation that does not exist
            boolean storageGone = before.isPresent() && !relationExists(c, def.table());
            boolean sameDefinition = !storageGone && before.isPresent() && before.get().query().equals(checked.sql())
                    && before.get().effectiveMode().equals(mode.effectiveMode())
                    // the same query stored another way (an operator upgrade changed its layout) is made anew
                    && (!differential || StorageShape.sameColumnNames(c, def.table(), plan));
            // A FULL stream table whose captured sources change (installed before FULL ones were captured, reading
            // an upstream stream table that was recreated, or a source table dropped and created again) keeps its
            // table, which holds no row identity to redo: its next refresh recomputes, later ones check first.
            boolean captureAdded = sameDefinition && captured && !differential && !stored.equals(planned);
            boolean rebuild = !sameDefinition
                    // a source was dropped and recreated (e.g. an upstream stream table was rebuilt)
                    || (captured && !captureAdded && !stored.equals(planned));
            if (captured && !def.suspend() && (rebuild || captureAdded || ChangeCapture.missing(c, plan.sources()))) {
                // Committed before the load's snapshot is taken: see ChangeCapture. Also reinstalls capture that
                // was released (a suspended stream table resumed) or lost its projection (dependants refresh
                // in FULL until then).
                try {
                    ChangeCapture.install(c, plan.sources());
                } catch (SQLException e) {
                    if (!differential) {
                        throw e;
                    }
                    // capture SQL generated for the incremental plan's columns, refused: the plan is rejected
                    throw IncrementalPlanCheck.rejectedOrRethrow(def.key(), e, "installing change capture");
                }
            }
            // Wait for a running refresh before the snapshot is taken (see RefreshTransaction#begin).
            StreamTableLock.lockSession(c, def.key());
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute(def.tuning().transactionSettingsSql()); // the load is bounded like a refresh
                }
                StreamTableLock.lockTransaction(c, def.key());
                CatalogStore store = new CatalogStore(c);
                Optional<StreamTableRecord> existing = store.findForUpdate(def.key().namespace(), def.key().name());
                checkOwnership(c, store, def, existing);
                String table = def.table().sql();
                StreamTableRecord row = new StreamTableRecord(def.key().namespace(), def.key().name(), def.uid(),
                        def.table().schema(), def.table().table(), checked.sql(), def.refreshMode().name(),
                        mode.effectiveMode(), modeReason(mode.effectiveMode(), mode.reason(), captured), def.schedule(), def.suspend(), def.generation(),
                        null, null, null, null, null, 0, null, null, null, plan.readSql(table));
                String refreshSql = differential
                        ? String.join(";\n", plan.refreshSql(table, RefreshTransaction.previousFrontier(def.key())))
                        : null;
                if (captureAdded && existing.isPresent() && !StorageShape.same(c, existing.get(), def.table(), plan)) {
                    // the query's columns changed with its sources (SELECT * over a table created again with other
                    // columns): the table is made anew
                    captureAdded = false;
                    rebuild = true;
                }
                boolean inPlace = rebuild && differential && existing.isPresent()
                        && StorageShape.same(c, existing.get(), def.table(), plan);
                List<String> storageDdl = plan.storageDdl(table);
                if (rebuild && !inPlace) {
                    try (Statement s = c.createStatement()) {
                        if (existing.isPresent()) {
                            ChangeCapture.releaseTable(c, table);
                            s.execute("DROP TABLE IF EXISTS " + table);
                            store.invalidateDependants(def.table());
                        }
                        if (!schemaExists(c, def.table().schema())) {
                            if (!def.tuning().createSchemas()) {
                                throw missingSchema(def);
                            }
                            s.execute("CREATE SCHEMA " + Identifiers.quote(def.table().schema()));
                        }
                        s.execute(storageDdl.get(0));
                    }
                }
                store.upsertDefinition(row, plan.initialLoadSql(table), refreshSql, planned,
                        def.tuning().maxChangeRatio(), def.tuning().learnFromHistory(),
                        def.tuning().statementTimeout().toMillis(), def.tuning().lockTimeout().toMillis());
                if (rebuild || captureAdded) {
                    store.replaceSources(def.key().namespace(), def.key().name(), checked.sources());
                }
                if (captureAdded) {
                    // changes before the capture existed are not in its buffer: the next refresh recomputes
                    store.releaseFrontier(def.key().namespace(), def.key().name());
                }
                FullRefresh.Outcome recomputed = null;
                if (rebuild) {
                    Instant start = Instant.now();
                    long t0 = System.nanoTime();
                    long rows;
                    try (Statement s = c.createStatement()) {
                        s.execute(StorageGuard.ALLOW);
                        if (inPlace) {
                            // The new query stores the same columns: the existing table is brought up to date
                            // by a FULL refresh instead of being dropped and recreated, so that a snapshot older
                            // than this apply still reads the old rows (a new table's rows are invisible to it,
                            // as after TRUNCATE), the views and grants on it stay, and stream tables reading it
                            // receive only the rows that changed (only those are written) and stay valid.
                            recomputed = FullRefresh.run(c, new InstalledRefresh(def.table(), def.refreshMode().name(),
                                    mode.effectiveMode(), plan.initialLoadSql(table), refreshSql, planned, false,
                                    def.tuning().maxChangeRatio(), def.tuning().learnFromHistory(), def.suspend(),
                                    null), true);
                            rows = recomputed.rows();
                        } else {
                            rows = s.executeUpdate(plan.initialLoadSql(table));
                            // The primary key after the load: one index build rather than an insertion per row.
                            for (String ddl : storageDdl.subList(1, storageDdl.size())) {
                                s.execute(ddl);
                            }
                        }
                    }
                    store.recordRefresh(def.key().namespace(), def.key().name(), start, StreamTableService.millisSince(t0), rows, "FULL",
                            null, recomputed != null ? RECOMPUTED : LOADED, false);
                }
                if (differential) {
                    IncrementalPlanCheck.check(c, def.key(), def.table(), checked.sql(), refreshSql, rebuild);
                }
                StorageGuard.ensure(c, table);
                if (def.suspend()) {
                    // Suspended: holds no change-buffer rows (a sole reader's capture is dropped just below); the
                    // refresh after resuming recomputes in full.
                    store.releaseFrontier(def.key().namespace(), def.key().name());
                }
                ChangeCapture.dropUnused(c);
                c.commit();
                if (recomputed != null && recomputed.vacuum()) {
                    c.setAutoCommit(true);
                    RefreshTransaction.vacuumStorage(c, table);
                }
                return new ApplyResult(store.find(def.key().namespace(), def.key().name()).orElseThrow(), rebuild,
                        inPlace, null, storageGone, RoleWarnings.of(c));
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                if ((rebuild || captureAdded) && captured) {
                    c.setAutoCommit(true);
                    removeUnusedCapture(c);
                }
                if (differential && e instanceof SQLException sqlError) {
                    // the storage DDL, load or recompute of the incremental plan failed: its SQL, or the query's?
                    throw IncrementalPlanCheck.rejectedOrRethrow(def.key(), sqlError, "installing the stream table");
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                    StreamTableLock.unlockSession(c, def.key());
                } catch (SQLException connectionGone) {
                    // a closed session holds no locks
                }
            }
        }
    }

    /** Plans the query; a planner failure is not the user's problem: it means FULL, with the reason. */
    static Plan plan(Connection c, CheckedQuery checked) throws SQLException {
        String query = checked.sql();
        Plan plan;
        try {
            plan = Planner.plan(query, new JdbcCatalog(c));
        } catch (RuntimeException e) {
            // PostgreSQL accepted the query (QueryChecker): what the planner refuses is maintained in FULL
            return fullLayout(query, List.of("the incremental planner cannot read this query ("
                    + e.getMessage() + "); PostgreSQL runs it as written with FULL refreshes"), List.of());
        }
        plan = SourceCompleteness.complete(checked.dependencies(), query, plan);
        String partitioned = plan.sources().isEmpty() ? null : partitionedSource(c, plan);
        if (partitioned != null && !plan.isDifferential()) {
            // maintained in FULL anyway; its capture could not tell every change either: recomputed at every refresh
            return fullLayout(query, plan.reasons(), List.of());
        }
        return partitioned == null ? plan : fullLayout(query, List.of("source " + partitioned + " is partitioned,"
                + " a partition or has inheritance children: rows can enter or leave it without DML its change"
                + " capture sees (ATTACH, DETACH or DROP of a partition, DML on a partition or child directly), so"
                + " it is maintained in FULL"), List.of());
    }

    /** The first source of {@code plan} that is a partitioned table, a partition or an inheritance parent, or null. */
    private static String partitionedSource(Connection c, Plan plan) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT format('%I.%I', n.nspname, r.relname) FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
                 WHERE r.oid = ANY (?) AND (r.relkind = 'p' OR r.relispartition
                        OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = r.oid)) ORDER BY 1 LIMIT 1""")) {
            ps.setArray(1, c.createArrayOf("bigint", plan.sources().stream().map(SourceUse::oid).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The mode's reason as the status shows it: for FULL, also whether a refresh without changes recomputes. */
    static String modeReason(String effectiveMode, String reason, boolean captured) {
        if (!"FULL".equals(effectiveMode)) {
            return reason;
        }
        return reason + (captured ? "; a refresh recomputes only after a change to its sources"
                : "; every refresh recomputes (the result can change without a change to the tables it reads, or"
                        + " their changes cannot be captured)");
    }

    /**
     * A stream table maintained in FULL: only the user's columns (no row identity, no index to maintain on
     * reload), and its sources captured only where capture sees every write, since it would otherwise
     * never recompute after one it missed.
     */
    static Plan fullPlan(Connection c, String query, Plan plan) throws SQLException {
        List<SourceUse> sources = plan.sources();
        boolean everyWrite = !sources.isEmpty()
                && ChangeCapture.seesEveryWrite(c, sources.stream().map(SourceUse::oid).toList());
        return fullLayout(query, plan.reasons(), everyWrite ? sources : List.of());
    }

    /**
     * The storage of a FULL stream table: exactly the query's columns, recomputed by every refresh that has
     * changes of {@code captured} (the query depends on these tables alone), or by every refresh when empty.
     */
    static Plan fullLayout(String query, List<String> reasons, List<SourceUse> captured) {
        return new Plan(query, io.pgtrickle.dvm.plan.Mode.FULL, reasons, List.of(), List.of(), false, captured,
                "SELECT * FROM (\n" + query + "\n) AS q", null, null);
    }

    private static void removeUnusedCapture(Connection c) {
        try {
            c.setAutoCommit(false);
            ChangeCapture.dropUnused(c);
            c.commit();
        } catch (SQLException e) {
            // Best effort: unused capture only costs writes until the next apply or delete removes it.
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // connection is going away
            }
        }
    }

    /** Schemas that belong to PostgreSQL or to pg-trickle itself: never a place for a storage table. */
    private static final java.util.regex.Pattern SYSTEM_SCHEMA =
            java.util.regex.Pattern.compile(io.pgtrickle.crds.v1alpha1.CrdPatterns.SYSTEM_SCHEMA); // the CRD's rule

    /**
     * Refuses, changing nothing, what {@link #install} would refuse about where the stream table goes: a system
     * schema, a table owned by something else, a changed spec.table, a missing schema the policy may not create.
     * {@code explain} calls it so that it fails where apply fails.
     */
    static void refuseAsApplyWould(Connection c, StreamTableDefinition def) throws SQLException {
        if (CatalogSchema.exists(c)) {
            CatalogStore store = new CatalogStore(c);
            checkOwnership(c, store, def, store.find(def.key().namespace(), def.key().name()));
        } else {
            checkOwnership(c, null, def, Optional.empty());
        }
        if (!def.tuning().createSchemas() && !schemaExists(c, def.table().schema())) {
            throw missingSchema(def);
        }
    }

    private static InvalidSpecException missingSchema(StreamTableDefinition def) {
        return new InvalidSpecException("schema " + def.table().schema() + " of spec.table " + def.table()
                + " does not exist (stream table " + def.key() + ")",
                "check the schema's spelling; create the schema, or set createSchemas: true in the stream table's"
                        + " RefreshPolicy to let apply create it");
    }

    /** {@code store} null: no catalog in this database yet, so no stream table owns anything. */
    private static void checkOwnership(Connection c, CatalogStore store, StreamTableDefinition def,
                                       Optional<StreamTableRecord> existing) throws SQLException {
        if (SYSTEM_SCHEMA.matcher(def.table().schema() + ".").find()) {
            throw new InvalidSpecException("spec.table " + def.table() + " of stream table " + def.key() + " is in"
                    + " the system schema " + def.table().schema() + ", which belongs to PostgreSQL or to pg-trickle",
                    "store the stream table in a schema of your own, e.g. analytics." + def.table().table());
        }
        Optional<StreamTableRecord> owner = store == null ? Optional.empty() : store.findByTable(def.table());
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

    private static boolean schemaExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static boolean relationExists(Connection c, QualifiedName t) throws SQLException {
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
}
