package io.pgtrickle.operator.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Keeps writers other than pg-trickle out of storage tables. A row written, changed or deleted by
 * hand would make the next DIFFERENTIAL refresh apply its change to contents that no longer match the
 * query, and the stream table would stay wrong without anyone being told. A statement-level
 * {@code BEFORE} trigger refuses INSERT, UPDATE, DELETE, MERGE and TRUNCATE unless the transaction
 * set {@code pgtrickle.maintaining}, as refreshes and applies do ({@link #ALLOW}); a person repairing
 * a table by hand can set it too (the error's hint says how).
 */
public final class StorageGuard {
    /** The setting, transaction-local, that lets a statement write a storage table. */
    public static final String SETTING = "pgtrickle.maintaining";

    /** Lets this transaction write storage tables (a SELECT: pipelines with other statements). */
    public static final String ALLOW = "SELECT set_config('" + SETTING + "', 'on', true)";

    static final String FUNCTION = """
            CREATE OR REPLACE FUNCTION pgtrickle.guard_storage() RETURNS trigger
            LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $pgt$
            BEGIN
                IF current_setting('%1$s', true) IS DISTINCT FROM 'on' THEN
                    RAISE EXCEPTION 'table %%.%% is the storage of a pg-trickle stream table; only its refreshes write it',
                        TG_TABLE_SCHEMA, TG_TABLE_NAME
                        USING ERRCODE = 'object_not_in_prerequisite_state',
                              HINT = 'change the stream table''s sources or its query instead; to repair the table'
                                  || ' by hand, run SET LOCAL %1$s = on in your transaction first';
                END IF;
                RETURN NULL;
            END
            $pgt$""".formatted(SETTING);

    private static final String TRIGGER = "pgt_guard";

    private StorageGuard() {
    }

    /**
     * Installs the guard on a storage table that lacks it (new, or created before guards existed).
     * Leaves a guarded table alone: replacing the trigger would invalidate the cached plans of every
     * statement on the table at each periodic re-apply.
     */
    public static void ensure(Connection c, String qualifiedTable) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = ?::regclass AND tgname = ?)")) {
            ps.setString(1, qualifiedTable);
            ps.setString(2, TRIGGER);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return;
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER " + TRIGGER + " BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
                    + qualifiedTable + " FOR EACH STATEMENT EXECUTE FUNCTION pgtrickle.guard_storage()");
        }
    }

    /** Removes it from a table that stops being a storage table (deleted with reclaimPolicy Retain). */
    public static String removeSql(String qualifiedTable) {
        return "DROP TRIGGER IF EXISTS " + TRIGGER + " ON " + qualifiedTable;
    }
}
