package io.pgtrickle.operator.lifecycle;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;

/**
 * Turns database exceptions into one-line messages and hints fit for status and CLI output: the
 * server's own message without stack traces or connection details.
 */
final class DatabaseErrors {
    private DatabaseErrors() {
    }

    static String describe(Throwable e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            return m.getMessage() + (m.getSQLState() == null ? "" : " (SQLSTATE " + m.getSQLState() + ")");
        }
        String msg = e.getMessage();
        return msg == null ? e.getClass().getSimpleName() : msg.lines().findFirst().orElse(msg);
    }

    /**
     * Whether the connection itself was lost (SQLSTATE class 08, or the server shutting the session
     * down: 57P01–57P03), as opposed to the statement failing on a healthy connection.
     */
    static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P0"));
    }

    static String hint(Throwable e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getHint() != null) {
            return p.getServerErrorMessage().getHint();
        }
        String state = e instanceof SQLException s && s.getSQLState() != null ? s.getSQLState() : "";
        if (state.startsWith("08")) {
            return "the database could not be reached; the refresh is retried with backoff";
        }
        return switch (state) {
            case "42P01" -> "a table the query reads, or the stream table's own storage table, no longer exists:"
                    + " create it again (apply the stream table again to recreate a dropped storage table)";
            case "42703", "42804" -> "a column the query reads was dropped, renamed or changed type: fix the query"
                    + " or the table, and apply the stream table again";
            case "42501" -> "the operator's database role lacks a privilege: grant it SELECT on the tables the query"
                    + " reads (see the grants in docs/index.md)";
            case "22012" -> "the query divides by zero for some row: guard the divisor, e.g. x / NULLIF(y, 0)";
            case "57014" -> "the statement ran longer than its statement timeout (spec.statementTimeout of the"
                    + " stream table's RefreshPolicy, default 10m): make the query cheaper, or raise it";
            case "55P03" -> "a lock was not granted within the lock timeout (spec.lockTimeout of the RefreshPolicy,"
                    + " default 30s; another session holds the table): the refresh is retried; look for long"
                    + " transactions or DDL on the tables the query reads";
            case "40001", "40P01" -> "a concurrent transaction conflicted with the refresh: it is retried";
            default -> "run the query in psql against the same database to see the problem";
        };
    }
}
