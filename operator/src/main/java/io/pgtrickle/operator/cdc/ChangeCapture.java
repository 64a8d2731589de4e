package io.pgtrickle.operator.cdc;

import io.pgtrickle.dvm.plan.SourceUse;
import io.pgtrickle.operator.catalog.CatalogSchema;
import io.pgtrickle.operator.catalog.CatalogStore;
import io.pgtrickle.operator.db.Identifiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Trigger-based change capture (DESIGN.md §3): one typed change buffer per source table,
 * {@code pgtrickle_changes."changes_<oid>"}, filled by statement-level AFTER triggers with
 * transition tables. Each row carries the writer's {@code pg_current_xact_id()} and a weight
 * (+1 inserted, −1 deleted; an UPDATE writes both), and only the columns some stream table reads.
 * TRUNCATE leaves a marker in {@code pgtrickle_changes.truncates}, which makes dependants refresh
 * in FULL.
 *
 * <p>Source DDL never breaks the source's writers. The trigger names no source column: it reads
 * the captured columns through a projection function, {@code pgtrickle_changes."proj_<oid>"}, whose
 * SQL-standard body ({@code BEGIN ATOMIC}) PostgreSQL parses once and keeps by column number. So a
 * captured column can be renamed (writers go on, captured as before; stream tables whose query names
 * the old column fail until their query is updated); dropping a captured column or changing its type
 * is refused by PostgreSQL, naming the projection that depends on it. If the projection is dropped
 * anyway ({@code DROP COLUMN … CASCADE}), the trigger records a capture-lost marker instead of
 * failing, dependants recompute in FULL, and the next apply installs capture again.
 *
 * <p>Install runs in a transaction of its own that commits before the stream table's initial
 * load takes its snapshot: every writer either committed before the triggers existed (and is in
 * the load) or fires them (and is in a later batch). See {@code docs/refresh.md}.
 */
public final class ChangeCapture {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeCapture.class);

    public static final String SCHEMA = "pgtrickle_changes";

    private ChangeCapture() {
    }

    /** {@code pgtrickle_changes."changes_<oid>"}. */
    public static String bufferTable(long oid) {
        return SCHEMA + "." + Identifiers.quote("changes_" + oid);
    }

    /**
     * Makes sure every source has a buffer and triggers keeping at least the columns it needs,
     * widening existing buffers. Commits; leaves {@code c} in auto-commit.
     */
    public static void install(Connection c, List<SourceUse> sources) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(hashtextextended('pgtrickle:cdc', 0))");
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            s.execute("""
                    CREATE TABLE IF NOT EXISTS pgtrickle_changes.truncates (
                        source_oid bigint NOT NULL,
                        __pgt_xid  xid8   NOT NULL DEFAULT pg_current_xact_id(),
                        kind       text   NOT NULL DEFAULT 'truncate')""");
            for (SourceUse src : sources) {
                installOne(c, src);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static void installOne(Connection c, SourceUse src) throws SQLException {
        Map<String, String> types = columnTypes(c, src.oid());
        List<String> existing = existingColumns(c, src.oid());
        Set<String> wanted = new LinkedHashSet<>();
        // Keep the table's column order so buffers read naturally.
        for (String col : types.keySet()) {
            if ((existing != null && existing.contains(col)) || src.columns().contains(col)) {
                wanted.add(col);
            }
        }
        for (String col : src.columns()) {
            if (!types.containsKey(col)) {
                throw new IllegalStateException("column " + col + " of " + src.schema() + "." + src.table()
                        + " does not exist");
            }
        }
        String buffer = bufferTable(src.oid());
        if (existing != null && !types.keySet().containsAll(existing)) {
            // A captured column was renamed (or dropped with CASCADE) since the buffer was made.
            new CatalogStore(c).invalidateReadersOfChangedCapture(src.oid());
        }
        try (Statement s = c.createStatement()) {
            if (existing == null) {
                StringBuilder ddl = new StringBuilder("CREATE TABLE " + buffer + " (\n    \"__pgt_xid\" xid8 NOT NULL,"
                        + "\n    \"__pgt_weight\" smallint NOT NULL");
                for (String col : wanted) {
                    ddl.append(",\n    ").append(Identifiers.quote(col)).append(' ').append(types.get(col));
                }
                s.execute(ddl.append(")").toString());
                s.execute("CREATE INDEX ON " + buffer + " (\"__pgt_xid\")");
            } else {
                for (String col : wanted) {
                    if (!existing.contains(col)) {
                        s.execute("ALTER TABLE " + buffer + " ADD COLUMN " + Identifiers.quote(col) + " "
                                + types.get(col));
                    }
                }
            }
            List<String> columns = new ArrayList<>(wanted);
            // Its result columns change when the buffer widens, which CREATE OR REPLACE cannot do.
            s.execute("DROP FUNCTION IF EXISTS " + projectionName(src.oid()) + "(" + sourceRowType(src) + ")");
            s.execute(projectionFunction(src, columns, types));
            s.execute(captureFunction(src.oid(), columns));
            String table = Identifiers.quote(src.schema()) + "." + Identifiers.quote(src.table());
            String fn = functionName(src.oid());
            boolean always = true;
            for (String[] t : new String[][] {
                    {"pgt_capture_ins", "INSERT", "REFERENCING NEW TABLE AS pgt_new"},
                    {"pgt_capture_upd", "UPDATE", "REFERENCING OLD TABLE AS pgt_old NEW TABLE AS pgt_new"},
                    {"pgt_capture_del", "DELETE", "REFERENCING OLD TABLE AS pgt_old"},
                    {"pgt_capture_trunc", "TRUNCATE", ""}}) {
                s.execute("CREATE OR REPLACE TRIGGER " + t[0] + " AFTER " + t[1] + " ON " + table + " " + t[2]
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "()");
                always &= alwaysFire(c, table, t[0]);
            }
            if (!always) {
                LOG.warn("{}: change capture fires only for ordinary sessions (the operator's role does not own the"
                        + " table); changes applied with session_replication_role = replica, e.g. by logical"
                        + " replication, are not captured", table);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO pgtrickle.change_buffers VALUES (?, ?, ?, ?)
                ON CONFLICT (source_oid) DO UPDATE SET columns = excluded.columns,
                    source_schema = excluded.source_schema, source_table = excluded.source_table""")) {
            ps.setLong(1, src.oid());
            ps.setString(2, src.schema());
            ps.setString(3, src.table());
            ps.setArray(4, c.createArrayOf("text", wanted.toArray()));
            ps.executeUpdate();
        }
    }

    /**
     * Makes a capture trigger fire also when {@code session_replication_role} is {@code replica}: a logical
     * replication subscription applying changes to the source, or a restore run that way, still changes
     * its contents. That takes ownership of the table; a role with only the TRIGGER privilege keeps the
     * default (and is told in the log), rather than failing the install.
     *
     * @return false when the role may not
     */
    private static boolean alwaysFire(Connection c, String table, String trigger) throws SQLException {
        Savepoint before = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + trigger);
            c.releaseSavepoint(before);
            return true;
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(before);
            return false;
        }
    }

    /**
     * Whether this role may make capture fire for every write of these tables (see {@link #alwaysFire}: it
     * owns them). A FULL stream table relies on capture only then: a write its capture misses (a logical
     * replication subscription applying changes) would otherwise leave it unrecomputed for good.
     */
    public static boolean seesEveryWrite(Connection c, List<Long> oids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(bool_and(pg_has_role(relowner, 'USAGE') AND relnamespace <> 'pg_catalog'::regnamespace),"
                        + " false) FROM pg_class WHERE oid = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", oids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static String functionName(long oid) {
        return SCHEMA + "." + Identifiers.quote("capture_" + oid);
    }

    static String projectionName(long oid) {
        return SCHEMA + "." + Identifiers.quote("proj_" + oid);
    }

    private static String sourceRowType(SourceUse src) {
        return Identifiers.quote(src.schema()) + "." + Identifiers.quote(src.table());
    }

    /**
     * The captured columns of one source row, by column number: a SQL-standard body is parsed when it
     * is created and follows renames; PostgreSQL refuses to drop or retype a column it reads. Inlined
     * into the trigger's INSERT, it costs nothing per row.
     */
    static String projectionFunction(SourceUse src, List<String> columns, Map<String, String> types) {
        List<String> out = columns.stream().map(c -> Identifiers.quote(c) + " " + types.get(c)).toList();
        List<String> pick = columns.stream().map(c -> "r." + Identifiers.quote(c)).toList();
        return """
                CREATE FUNCTION %s(r %s) RETURNS TABLE (%s)
                LANGUAGE sql IMMUTABLE PARALLEL SAFE
                BEGIN ATOMIC
                    SELECT %s;
                END""".formatted(projectionName(src.oid()), sourceRowType(src), String.join(", ", out),
                pick.isEmpty() ? "NULL::int" : String.join(", ", pick));
    }

    /**
     * The trigger function: one set-based INSERT per statement, never per row, naming no source
     * column (see {@link #projectionFunction}). Without its projection it records a capture-lost
     * marker rather than failing the writer's statement.
     */
    static String captureFunction(long oid, List<String> columns) {
        String buffer = bufferTable(oid);
        String cols = String.join(", ", columns.stream().map(Identifiers::quote).toList());
        String target = "INSERT INTO " + buffer + " (\"__pgt_xid\", \"__pgt_weight\"" + (cols.isEmpty() ? "" : ", " + cols)
                + ")";
        String pick = cols.isEmpty() ? "" : ", p.*";
        String proj = projectionName(oid);
        String from = "%s AS o, LATERAL " + proj + "(o) AS p";
        return """
                CREATE OR REPLACE FUNCTION %s() RETURNS trigger
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $pgt$
                DECLARE
                    xid xid8 := pg_current_xact_id();
                BEGIN
                    IF TG_OP = 'TRUNCATE' THEN
                        INSERT INTO pgtrickle_changes.truncates (source_oid) VALUES (%d);
                    ELSIF to_regproc(%s) IS NULL THEN
                        INSERT INTO pgtrickle_changes.truncates (source_oid, kind) VALUES (%d, 'capture lost');
                    ELSIF TG_OP = 'INSERT' THEN
                        %s SELECT xid, 1%s FROM %s;
                    ELSIF TG_OP = 'DELETE' THEN
                        %s SELECT xid, -1%s FROM %s;
                    ELSE
                        %s SELECT xid, -1%s FROM %s UNION ALL SELECT xid, 1%s FROM %s;
                    END IF;
                    RETURN NULL;
                END
                $pgt$""".formatted(functionName(oid), oid, Identifiers.literal(proj), oid,
                target, pick, from.formatted("pgt_new"),
                target, pick, from.formatted("pgt_old"),
                target, pick, from.formatted("pgt_old"), pick, from.formatted("pgt_new"));
    }

    /**
     * Lets the operator drop {@code qualifiedTable} (a stream table's storage, read by another stream
     * table): removes the projection that would make PostgreSQL refuse. The table's triggers go with
     * it; dependants refresh in FULL until applied again. Runs in the caller's transaction.
     */
    public static void releaseTable(Connection c, String qualifiedTable) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)::oid::bigint")) {
            ps.setString(1, qualifiedTable);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long oid = rs.getLong(1);
                if (!rs.wasNull()) {
                    try (Statement s = c.createStatement()) {
                        s.execute("DROP FUNCTION IF EXISTS " + projectionName(oid));
                    }
                }
            }
        }
    }

    /**
     * Whether some of these sources are not captured: their buffer was dropped (no stream table read
     * them while this one was suspended) or their projection was (a captured column dropped with
     * CASCADE).
     */
    public static boolean missing(Connection c, List<SourceUse> sources) throws SQLException {
        for (SourceUse src : sources) {
            try (PreparedStatement ps = c.prepareStatement("SELECT to_regproc(?) IS NULL OR to_regclass(?) IS NULL")) {
                ps.setString(1, projectionName(src.oid()));
                ps.setString(2, bufferTable(src.oid()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Removes the buffers and triggers that no stream table consumes any more (a DIFFERENTIAL one, or a FULL
     * one whose refreshes check for changes; see {@code InstalledRefresh#captured}). A suspended one
     * does not count: it holds no frontier, its first refresh after resuming recomputes in full, and
     * resuming installs capture anew. Runs in the caller's transaction.
     */
    public static void dropUnused(Connection c) throws SQLException {
        dropUnused(c, null, null);
    }

    /**
     * The same, not counting the stream table {@code namespace}/{@code name} either: one stopped by a spec
     * that no longer applies (its query does not plan), whose frontier the caller released.
     */
    public static void dropUnused(Connection c, String namespace, String name) throws SQLException {
        if (!CatalogSchema.exists(c)) {
            return;
        }
        List<Long> unused = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT b.source_oid
                  FROM pgtrickle.change_buffers b
                 WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.stream_tables t
                                    WHERE b.source_oid = ANY (t.source_oids)
                                      AND NOT t.suspended AND (t.namespace, t.name) IS DISTINCT FROM (?, ?))""")) {
            ps.setString(1, namespace);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unused.add(rs.getLong(1));
                }
            }
        }
        try (Statement s = c.createStatement()) {
            for (long oid : unused) {
                // The capture triggers go with their function: DROP TRIGGER needs ownership of the source, which
                // the role does not need otherwise (TRIGGER privilege creates them; docs/grants.sql); dependants
                // dropped by CASCADE are not checked for ownership. A source recreated under the same name has
                // triggers on another function (its own oid's), which stay.
                s.execute("DROP FUNCTION IF EXISTS " + functionName(oid) + "() CASCADE");
                s.execute("DROP FUNCTION IF EXISTS " + projectionName(oid));
                s.execute("DROP TABLE IF EXISTS " + bufferTable(oid));
                s.execute("DELETE FROM pgtrickle.change_buffers WHERE source_oid = " + oid);
                s.execute("DELETE FROM pgtrickle_changes.truncates WHERE source_oid = " + oid);
            }
        }
    }

    /**
     * Deletes buffer rows and truncation markers every consumer has consumed (visible in all their
     * frontiers), skipping rows another session holds; returns the buffer rows deleted. Best effort,
     * outside any refresh transaction. Markers too: a source truncated and reloaded every night would
     * otherwise add a row that every refresh of its dependants reads, for as long as capture exists.
     */
    public static int cleanup(Connection c, long sourceOid) throws SQLException {
        String consumed = """
                "__pgt_xid" < (SELECT min(pg_snapshot_xmin(t.frontier))
                                 FROM pgtrickle.stream_tables t
                                WHERE %d = ANY (t.source_oids))""".formatted(sourceOid);
        try (Statement s = c.createStatement()) {
            String buffer = bufferTable(sourceOid);
            int rows = s.executeUpdate("""
                    DELETE FROM %s WHERE ctid IN (
                        SELECT ctid FROM %s
                         WHERE %s
                           FOR UPDATE SKIP LOCKED)""".formatted(buffer, buffer, consumed));
            s.executeUpdate("DELETE FROM pgtrickle_changes.truncates WHERE source_oid = " + sourceOid + " AND " + consumed);
            return rows;
        }
    }

    private static Map<String, String> columnTypes(Connection c, long oid) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
                 WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped ORDER BY attnum""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    private static List<String> existingColumns(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT columns FROM pgtrickle.change_buffers WHERE source_oid = ?")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return List.of((String[]) rs.getArray(1).getArray());
            }
        }
    }
}
