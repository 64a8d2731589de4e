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
        if (e instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
            return "the database could not be reached; the refresh is retried with backoff";
        }
        return "check that the tables the query reads still exist with the same columns";
    }
}
