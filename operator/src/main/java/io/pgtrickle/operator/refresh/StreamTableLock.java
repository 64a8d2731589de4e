package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.lifecycle.StreamTableKey;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL advisory lock that makes everything changing one stream table take turns:
 * refreshes, applies and deletes, from any operator replica or CLI (DESIGN.md §3). One place builds
 * its key, because two spellings of it would silently stop fencing each other.
 */
public final class StreamTableLock {
    private StreamTableLock() {
    }

    /** The lock's key as a SQL expression. */
    static String key(StreamTableKey key) {
        return "hashtextextended(" + Identifiers.literal("pgtrickle:" + key) + ", 0)";
    }

    /** SQL that takes the transaction-level lock without waiting and yields whether it got it. */
    static String tryTransactionLockSql(StreamTableKey key) {
        return "pg_try_advisory_xact_lock(" + key(key) + ")";
    }

    /** Waits for the lock until the end of the current transaction. */
    public static void lockTransaction(Connection c, StreamTableKey key) throws SQLException {
        run(c, "SELECT pg_advisory_xact_lock(" + key(key) + ")");
    }

    /**
     * Waits for the lock until {@link #unlockSession}: taken before a REPEATABLE READ transaction
     * starts, it orders that transaction's snapshot after the previous holder's commit.
     */
    public static void lockSession(Connection c, StreamTableKey key) throws SQLException {
        run(c, "SELECT pg_advisory_lock(" + key(key) + ")");
    }

    public static void unlockSession(Connection c, StreamTableKey key) throws SQLException {
        run(c, "SELECT pg_advisory_unlock(" + key(key) + ")");
    }

    private static void run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
