package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.verify.ResultComparison;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * PostgreSQL judges the incremental plan at install: the engine rewrote the user's query, and the rewrite is
 * checked, not trusted. Inside the apply's transaction (one snapshot), after the load, the loaded table is
 * compared with PostgreSQL's own evaluation of the user's query text, and the refresh statement is planned by
 * PostgreSQL ({@code EXPLAIN}) so that SQL it would refuse is found now instead of at every refresh. Either
 * failure rejects the plan: the stream table is installed in FULL from the user's text, with the reason.
 */
final class IncrementalPlanCheck {
    private static final Logger LOG = LoggerFactory.getLogger(IncrementalPlanCheck.class);

    /** Rows of each kind of difference shown in the reason and the log. */
    static final int SAMPLE_ROWS = 3;

    /**
     * Error classes that are not the generated SQL's fault (a lost connection, a serialization failure or
     * deadlock, exhausted resources, a lock not available, a cancelled statement): the apply fails and is
     * retried, instead of giving up the incremental plan.
     */
    private static final Set<String> NOT_THE_PLAN = Set.of("08", "40", "53", "57", "58", "XX");

    private IncrementalPlanCheck() {
    }

    /** The incremental plan was rejected; {@link #reason()} says why, in words for the status. */
    static final class Rejected extends RuntimeException {
        private final String reason;

        Rejected(String reason, Throwable cause) {
            super(reason, cause);
            this.reason = reason;
        }

        String reason() {
            return reason;
        }
    }

    /**
     * Plans the refresh statement and, when the table was just loaded ({@code loaded}), compares it with the
     * query. Throws {@link Rejected} when either fails on the plan's account.
     */
    static void check(Connection c, StreamTableKey key, QualifiedName table, String query, String refreshSql,
                      boolean loaded) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            s.execute("EXPLAIN (COSTS OFF) " + refreshSql);
        } catch (SQLException e) {
            throw rejectedOrRethrow(key, e, "planning the refresh statement");
        }
        if (!loaded) {
            return;
        }
        ResultComparison.Difference d = ResultComparison.compare(c, table, query, SAMPLE_ROWS);
        if (!d.equal()) {
            LOG.warn("stream table {}: the incremental plan's load differs from PostgreSQL's result of the query ({});"
                    + " installed in FULL. Missing rows, e.g. {}; extra rows, e.g. {}. Refresh statement:\n{}",
                    key, d.summary(), d.missingSample(), d.extraSample(), refreshSql);
            throw new Rejected("the incremental plan was checked against PostgreSQL's own result of the query at"
                    + " install and differed (" + d.summary() + "), so it is not used: this is an engine bug"
                    + " worth reporting with the query; PostgreSQL runs the query as written with FULL refreshes",
                    null);
        }
    }

    /**
     * {@code e} as a rejection of the plan when it is the generated SQL's fault: every error but those of
     * {@link #NOT_THE_PLAN}. The stream table is then installed in FULL, which runs the user's own text: an
     * error that is the query's (a division by zero, a missing privilege) is reported by that install.
     */
    static RuntimeException rejectedOrRethrow(StreamTableKey key, SQLException e, String step) throws SQLException {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.length() < 2 || NOT_THE_PLAN.contains(state.substring(0, 2)) || state.equals("55P03")) {
            throw e;
        }
        String first = e.getMessage() == null ? "no detail" : e.getMessage().lines().findFirst().orElse("").strip();
        LOG.warn("stream table {}: PostgreSQL refused the SQL generated for incremental maintenance while {} ({});"
                + " installed in FULL", key, step, first);
        return new Rejected("PostgreSQL refused the SQL the incremental planner generated for this query ("
                + first + ", SQLSTATE " + state + "); PostgreSQL runs the query as written with FULL refreshes", e);
    }
}
