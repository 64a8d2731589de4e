package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.catalog.InstalledRefresh;
import io.pgtrickle.operator.db.Identifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The FULL refresh of a stream table inside the refresh (or apply) transaction: the storage table made equal
 * to the query's result, either by comparing and writing only what differs (keyed storage, when few
 * changes are expected) or by emptying and loading it again in the way that costs least for its
 * size. The frontier and history are written by the caller, in the same transaction.
 */
public final class FullRefresh {
    /** A FULL refresh of a storage table with at least this many rows rebuilds its key after the load. */
    static final long REBUILD_KEY_MIN_ROWS = 10_000;

    /** A FULL refresh of a storage table with at most this many rows computes them into a temporary table first. */
    static final long VIA_TEMP_MAX_ROWS = 10_000;

    /**
     * The first PostgreSQL version whose MERGE deletes target rows without a source row ({@code WHEN NOT
     * MATCHED BY SOURCE}); before it, {@link #reconcile} deletes them with a second statement.
     */
    static final int MERGE_BY_SOURCE_VERSION = 17;

    private static final String TEMP = "\"__pgt_full\"";

    private FullRefresh() {
    }

    /** Rows loaded, and whether the rows deleted are worth a VACUUM after the commit. */
    public record Outcome(long rows, boolean vacuum) {
    }

    /**
     * Recomputes the storage table: {@code DELETE} of every row and the load, shaped by how many rows the
     * table holds (PostgreSQL's estimate).
     *
     * <p>Not {@code TRUNCATE}, which is not MVCC-safe: a transaction whose snapshot was taken before the
     * refresh committed, and which reads the table after, sees it empty: a reader in REPEATABLE READ (a
     * report, {@code pg_dump}), and the refresh of a stream table reading this one, which then stored an
     * empty result ({@code ConcurrentRefreshersIT} caught it). With {@code DELETE}, every snapshot sees either the old
     * rows or the new ones, as with a DIFFERENTIAL refresh. The dead rows are vacuumed after the commit
     * (see {@link RefreshResult#vacuumStorage}).
     * <ul>
     *   <li>keyed (DIFFERENTIAL) storage holding rows, a FULL refresh not chosen for the batch's size
     *       ({@code fewChangesExpected}): {@link #reconcile}, which writes only the rows that differ.
     *       Otherwise every row is deleted and loaded again:
     *   <li>many ({@link #REBUILD_KEY_MIN_ROWS} or more): the primary key is dropped for the load and
     *       added back after, in the same transaction. Building the index once from sorted keys costs a
     *       fraction of maintaining it row by row (an index WAL record per row).
     *   <li>few (at most {@link #VIA_TEMP_MAX_ROWS}, typically an aggregate): the query runs as
     *       {@code CREATE TEMP TABLE … AS}, which PostgreSQL may run with parallel workers (an
     *       {@code INSERT … SELECT} never is, but {@code REFRESH MATERIALIZED VIEW} is), and its few
     *       rows are then copied in.
     * </ul>
     */
    public static Outcome run(Connection c, InstalledRefresh r, boolean fewChangesExpected) throws SQLException {
        String table = r.table().sql();
        StorageSize size = storageSize(c, table);
        // A database hardened with REVOKE TEMPORARY … FROM PUBLIC: no temporary tables, the query is read in place.
        boolean viaTemp = size.temp() && size.rows() >= 0 && size.rows() <= VIA_TEMP_MAX_ROWS;
        if (fewChangesExpected && r.differential() && size.rows() > 0 && size.primaryKey() != null) {
            boolean bySource = c.getMetaData().getDatabaseMajorVersion() >= MERGE_BY_SOURCE_VERSION;
            return reconcile(c, r, size.keyColumns(), viaTemp || size.temp() && !bySource, bySource);
        }
        String pk = r.differential() && size.rows() >= REBUILD_KEY_MIN_ROWS ? size.primaryKey() : null;
        try (Statement s = c.createStatement()) {
            long deleted = s.executeUpdate("DELETE FROM " + table);
            if (pk != null) {
                s.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + Identifiers.quote(pk));
            }
            long rows;
            if (viaTemp) {
                computeIntoTemp(s, r);
                rows = s.executeUpdate("INSERT INTO " + table + " SELECT * FROM " + TEMP);
            } else {
                rows = s.executeUpdate(r.loadSql());
            }
            if (pk != null) {
                s.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + Identifiers.quote(pk)
                        + " PRIMARY KEY (" + String.join(", ", size.keyColumns()) + ")");
            }
            return new Outcome(rows, deleted >= RefreshTransaction.VACUUM_AFTER_ROWS);
        }
    }

    /** The query's rows computed into {@link #TEMP}, which PostgreSQL may do with parallel workers. */
    private static void computeIntoTemp(Statement s, InstalledRefresh r) throws SQLException {
        s.execute("CREATE TEMP TABLE " + TEMP + " ON COMMIT DROP AS\n" + storageSelect(r));
    }

    /** loadSql is "INSERT INTO <table>" and the storage SELECT on the following lines. */
    private static String storageSelect(InstalledRefresh r) {
        return r.loadSql().substring(r.loadSql().indexOf('\n') + 1);
    }

    /**
     * The FULL refresh of keyed storage that writes only what differs: one {@code MERGE} of the query's
     * rows into the table by {@code __pgt_row_id}, updating rows whose columns differ, inserting new ones
     * and deleting those the query no longer returns ({@code WHEN NOT MATCHED BY SOURCE} on PostgreSQL 17+;
     * before, a {@code DELETE … WHERE NOT EXISTS} against the query's rows computed into a temporary table,
     * read by both statements, or the query run twice where the role may not create temporary tables).
     *
     * <p>For the FULL refreshes that are not chosen for a batch's size: a source truncated (and, as a rule,
     * loaded again with mostly the same rows), capture lost, the first refresh after a resume. A row that did
     * not change is not written, so a nightly truncate-and-reload costs the comparison (about 100 ms for
     * 100,000 rows, against 175 ms to delete, load and index them all), leaves no dead rows, and a stream
     * table reading this one sees only the rows that changed instead of every row deleted and inserted
     * again (which made it recompute in full too). The comparison is the columns' own equality (as the
     * DIFFERENTIAL MERGE's); columns of types without one (json, xml, geometric, composite) compare as text.
     * Where most rows changed it costs more than the load (about 2.4 times with every row changed); a FULL
     * refresh chosen because the batch is large uses the load.
     */
    private static Outcome reconcile(Connection c, InstalledRefresh r, List<String> keys, boolean viaTemp,
                                     boolean bySource) throws SQLException {
        String table = r.table().sql();
        List<String> columns = new ArrayList<>();
        List<String> compared = new ArrayList<>();
        List<String> source = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname,
                       b.typtype = 'c' OR e.typtype = 'c' OR b.typcategory = 'G' OR e.typcategory = 'G'
                           OR coalesce(e.typname, b.typname) IN ('json', 'xml')
                  FROM pg_attribute a
                  JOIN pg_type t ON t.oid = a.atttypid
                  JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
                  LEFT JOIN pg_type e ON e.oid = b.typelem AND b.typcategory = 'A'
                 WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped
                   AND a.attname NOT IN ('__pgt_row_id', '__pgt_copy')
                 ORDER BY a.attnum""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String col = Identifiers.quote(rs.getString(1));
                    String cast = rs.getBoolean(2) ? "::text" : "";
                    columns.add(col);
                    compared.add("t." + col + cast);
                    source.add("s." + col + cast);
                }
            }
        }
        try (Statement s = c.createStatement()) {
            String using = "(\n" + storageSelect(r) + "\n)";
            if (viaTemp) {
                computeIntoTemp(s, r);
                using = TEMP;
            }
            List<String> all = new ArrayList<>(columns);
            all.addAll(keys);
            String on = String.join(" AND ", keys.stream().map(k -> "t." + k + " = s." + k).toList());
            String changed = columns.isEmpty() ? "false"
                    : "(" + String.join(", ", compared) + ") IS DISTINCT FROM (" + String.join(", ", source) + ")";
            long rows = s.executeUpdate("MERGE INTO " + table + " AS t\nUSING " + using + " AS s\nON " + on
                    + (columns.isEmpty() ? "" : "\nWHEN MATCHED AND " + changed + " THEN\n  UPDATE SET "
                    + String.join(", ", columns.stream().map(col -> col + " = s." + col).toList()))
                    + "\nWHEN NOT MATCHED THEN\n  INSERT (" + String.join(", ", all) + ")\n  VALUES ("
                    + String.join(", ", all.stream().map(col -> "s." + col).toList()) + ")"
                    + (bySource ? "\nWHEN NOT MATCHED BY SOURCE THEN\n  DELETE" : ""));
            if (!bySource) {
                rows += s.executeUpdate("DELETE FROM " + table + " AS t\nWHERE NOT EXISTS (SELECT 1 FROM " + using
                        + " AS s WHERE " + on + ")");
            }
            return new Outcome(rows, rows >= RefreshTransaction.VACUUM_AFTER_ROWS);
        }
    }

    /**
     * PostgreSQL's estimate of the storage table's rows (-1 when it has none yet), its primary key, and
     * whether this role may create temporary tables.
     */
    private record StorageSize(long rows, String primaryKey, List<String> keyColumns, boolean temp) {
    }

    private static StorageSize storageSize(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT CASE WHEN t.reltuples >= 0 OR pg_stat_get_live_tuples(t.oid) > 0
                            THEN (%s)::bigint ELSE -1 END,
                       (SELECT k.conname FROM pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'p'),
                       has_database_privilege(current_database(), 'TEMPORARY'),
                       (SELECT array_agg(quote_ident(a.attname) ORDER BY u.n)
                          FROM pg_constraint k, unnest(k.conkey) WITH ORDINALITY AS u(attnum, n), pg_attribute a
                         WHERE k.conrelid = t.oid AND k.contype = 'p' AND a.attrelid = t.oid
                           AND a.attnum = u.attnum)
                  FROM pg_class t WHERE t.oid = ?::regclass""".formatted(RowEstimate.of("t")))) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.sql.Array keys = rs.getArray(4);
                return new StorageSize(rs.getLong(1), rs.getString(2),
                        keys == null ? List.of() : List.of((String[]) keys.getArray()), rs.getBoolean(3));
            }
        }
    }
}
