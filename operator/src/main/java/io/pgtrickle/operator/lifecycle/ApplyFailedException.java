package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.operator.errors.UserFacingException;

import java.sql.SQLException;

/**
 * An apply that failed in the database on a healthy connection (its load ran past the statement timeout, a lock
 * was not granted in time, the query failed on the data): it changed nothing, and the message says what happened
 * and which limit it hit, naming the stream table.
 */
public final class ApplyFailedException extends UserFacingException {
    ApplyFailedException(StreamTableDefinition def, SQLException e) {
        super(message(def, e), hint(def, e), e);
    }

    private static String message(StreamTableDefinition def, SQLException e) {
        String what = "apply of stream table " + def.key() + " failed and changed nothing: ";
        return switch (e.getSQLState() == null ? "" : e.getSQLState()) {
            case "57014" -> what + "a statement ran longer than its statementTimeout ("
                    + Durations.text(def.tuning().statementTimeout()) + ") and was cancelled";
            case "55P03" -> what + "a lock was not granted within its lockTimeout ("
                    + Durations.text(def.tuning().lockTimeout()) + ")";
            default -> what + DatabaseErrors.describe(e);
        };
    }

    private static String hint(StreamTableDefinition def, SQLException e) {
        return switch (e.getSQLState() == null ? "" : e.getSQLState()) {
            case "57014" -> "make the query cheaper, or raise spec.statementTimeout of the stream table's RefreshPolicy";
            case "55P03" -> "another session holds a lock on a table the query reads (a long transaction, DDL): end"
                    + " it, or raise spec.lockTimeout of the RefreshPolicy; the operator retries";
            default -> DatabaseErrors.hint(e);
        };
    }

    /** Durations as the CRD writes them. */
    private static final class Durations {
        static String text(java.time.Duration d) {
            long ms = d.toMillis();
            return ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
        }
    }
}
