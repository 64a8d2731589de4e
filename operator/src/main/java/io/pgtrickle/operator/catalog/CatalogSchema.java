package io.pgtrickle.operator.catalog;

import io.pgtrickle.operator.db.Identifiers;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * DDL of the {@code pgtrickle} catalog schema in the target database. It records every stream
 * table (with the owning resource's UID, so a second resource cannot claim the same storage table),
 * what it reads, its frontier and its refresh history, so that status can be rebuilt from the
 * database alone and the CLI and the operator see the same truth.
 */
public final class CatalogSchema {
    /** Bumped when the DDL below changes; {@link #ensure} upgrades older catalogs. */
    public static final int VERSION = 1;

    /**
     * Every refresh rewrites its stream table's row (frontier, last refresh), which is over 1 KB with the
     * generated SQL in it. At the default fillfactor a page prunes its dead versions only once less than
     * 10 % of it (819 bytes) is free, too little for the next version, so each update moved the row to a
     * new page: 3,000 refreshes grew the table to 380 pages, and every refresh reads it (the frontier).
     * With half of each page kept free, pruning makes room in place and updates stay on their page (HOT).
     */
    static final int STREAM_TABLES_FILLFACTOR = 50;

    private static final long CATALOG_LOCK = 0x7067747269636bL; // "pgtrick": serialises catalog DDL

    private CatalogSchema() {
    }

    private static boolean one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Whether the catalog was created in this database (by {@link #ensure}, in one transaction). */
    public static boolean exists(Connection c) throws SQLException {
        return one(c, "SELECT to_regclass('pgtrickle.stream_tables') IS NOT NULL");
    }

    /** Creates the catalog if missing. Runs in its own transaction; safe to call concurrently. */
    public static void ensure(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + CATALOG_LOCK + ")");
            s.execute("CREATE SCHEMA IF NOT EXISTS pgtrickle");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS pgtrickle.stream_tables (
                        namespace          text        NOT NULL,
                        name               text        NOT NULL,
                        resource_uid       text        NOT NULL,
                        storage_schema     text        NOT NULL,
                        storage_table      text        NOT NULL,
                        query              text        NOT NULL,
                        refresh_mode       text        NOT NULL,
                        effective_mode     text        NOT NULL,
                        mode_reason        text,
                        schedule           text,
                        suspended          boolean     NOT NULL DEFAULT false,
                        generation         bigint,
                        frontier           pg_snapshot,
                        refresh_sql        text,
                        load_sql           text        NOT NULL,
                        read_sql           text        NOT NULL,
                        source_oids        bigint[]    NOT NULL DEFAULT '{}',
                        max_change_ratio   float8      NOT NULL DEFAULT 0.15,
                        learn_from_history boolean     NOT NULL DEFAULT true,
                        statement_timeout_ms bigint    NOT NULL DEFAULT 600000,
                        lock_timeout_ms    bigint      NOT NULL DEFAULT 30000,
                        last_refresh_at    timestamptz,
                        last_refresh_ms    double precision,
                        last_refresh_rows  bigint,
                        last_refresh_mode  text,
                        last_refresh_reason text,
                        consecutive_errors integer     NOT NULL DEFAULT 0,
                        last_error         text,
                        last_error_hint    text,
                        last_error_at      timestamptz,
                        created_at         timestamptz NOT NULL DEFAULT now(),
                        updated_at         timestamptz NOT NULL DEFAULT now(),
                        PRIMARY KEY (namespace, name),
                        UNIQUE (storage_schema, storage_table)
                    ) WITH (fillfactor = %d)""".formatted(STREAM_TABLES_FILLFACTOR));
            // A catalog created before the setting: the first apply sets it (VACUUM FULL would compact it now;
            // without one, pages freed by pruning are reused as the table is vacuumed).
            if (!one(c, "SELECT coalesce(reloptions, '{}') @> ARRAY['fillfactor=" + STREAM_TABLES_FILLFACTOR + "']"
                    + " FROM pg_class WHERE oid = 'pgtrickle.stream_tables'::regclass")) {
                s.execute("ALTER TABLE pgtrickle.stream_tables SET (fillfactor = " + STREAM_TABLES_FILLFACTOR + ")");
            }
            // A catalog created before the RefreshPolicy timeouts: checked first, as ensure runs at every apply.
            if (!one(c, "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'pgtrickle.stream_tables'::regclass"
                    + " AND attname = 'lock_timeout_ms')")) {
                s.execute("ALTER TABLE pgtrickle.stream_tables ADD COLUMN IF NOT EXISTS statement_timeout_ms bigint"
                        + " NOT NULL DEFAULT 600000, ADD COLUMN IF NOT EXISTS lock_timeout_ms bigint NOT NULL DEFAULT 30000");
            }
            s.execute("""
                    CREATE TABLE IF NOT EXISTS pgtrickle.stream_table_sources (
                        namespace     text NOT NULL,
                        name          text NOT NULL,
                        source_schema text NOT NULL,
                        source_table  text NOT NULL,
                        source_oid    bigint,
                        PRIMARY KEY (namespace, name, source_schema, source_table),
                        FOREIGN KEY (namespace, name) REFERENCES pgtrickle.stream_tables ON DELETE CASCADE
                    )""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS pgtrickle.refresh_history (
                        id          bigserial   PRIMARY KEY,
                        namespace   text        NOT NULL,
                        name        text        NOT NULL,
                        started_at  timestamptz NOT NULL,
                        duration_ms double precision NOT NULL,
                        mode        text        NOT NULL,
                        rows        bigint,
                        changes     bigint,
                        ok          boolean     NOT NULL,
                        error       text
                    )""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS pgtrickle.change_buffers (
                        source_oid    bigint PRIMARY KEY,
                        source_schema text   NOT NULL,
                        source_table  text   NOT NULL,
                        columns       text[] NOT NULL)""");
            // Both checked first: ensure runs at every apply (the operator re-applies every stream table
            // periodically), and replacing a function or altering a table each time would rewrite catalog rows and
            // lock the marker table for nothing.
            if (!one(c, "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE oid = to_regprocedure('pgtrickle.guard_storage()')"
                    + " AND position(prosrc IN " + Identifiers.literal(StorageGuard.FUNCTION) + ") > 0)")) {
                s.execute(StorageGuard.FUNCTION);
            }
            // Change capture installed before capture-lost markers existed.
            if (one(c, "SELECT to_regclass('pgtrickle_changes.truncates') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
                    + " pg_attribute WHERE attrelid = to_regclass('pgtrickle_changes.truncates') AND attname = 'kind')")) {
                s.execute("ALTER TABLE pgtrickle_changes.truncates ADD COLUMN kind text NOT NULL DEFAULT 'truncate'");
            }
            RefreshHistory.ensureIndexes(s);
            s.execute("""
                    CREATE TABLE IF NOT EXISTS pgtrickle.catalog_version (
                        version integer NOT NULL
                    )""");
            s.execute("INSERT INTO pgtrickle.catalog_version SELECT " + VERSION
                    + " WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.catalog_version)");
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
