package io.pgtrickle.operator.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a user query may define a stream table: exactly one statement, a SELECT (or
 * WITH / VALUES / TABLE), no data-modifying CTE, accepted by PostgreSQL itself. PostgreSQL judges
 * the syntax inside a READ ONLY transaction that is always rolled back, so every query it accepts
 * works in FULL mode and nothing the query might do can persist.
 */
public final class QueryChecker {
    private static final Set<String> ALLOWED_FIRST_WORDS = Set.of("select", "with", "values", "table");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** First words of PostgreSQL's other statements: refused as statements, anything else as a misspelling. */
    private static final Set<String> COMMAND_WORDS = Set.of("insert", "update", "delete", "merge", "create", "drop",
            "alter", "truncate", "grant", "revoke", "copy", "call", "do", "vacuum", "analyze", "analyse", "explain",
            "set", "reset", "show", "lock", "begin", "start", "commit", "rollback", "end", "abort", "savepoint",
            "release", "prepare", "execute", "deallocate", "listen", "notify", "unlisten", "load", "discard",
            "cluster", "reindex", "checkpoint", "comment", "security", "refresh", "import", "declare", "fetch",
            "move", "close", "reassign");
    private static final String EXPLAIN = "EXPLAIN (VERBOSE, FORMAT JSON) ";
    private static final String COLUMNS_PREFIX = "SELECT * FROM (\n";
    /** The time PostgreSQL may take to plan the query; the column check runs it with LIMIT 0. */
    private static final String CHECK_TIMEOUT = "60s";
    private static final java.time.Duration DEFAULT_LOCK_TIMEOUT = java.time.Duration.ofSeconds(30);

    private QueryChecker() {
    }

    /**
     * How many statements PgJDBC itself would send for {@code query} (it splits at semicolons by its own lexical
     * rules): the last line of defence against text our lexer reads as one statement and the driver as two.
     */
    private static int driverStatements(String query) {
        try {
            return org.postgresql.core.Parser.parseJdbcSql(query, true, false, true, false, false).size();
        } catch (SQLException unparsable) {
            return Integer.MAX_VALUE;
        }
    }

    /** Lexical checks that need no database: one statement, starting like a query. */
    public static String singleSelect(String query) {
        if (query == null || query.isBlank()) {
            throw new InvalidQueryException("spec.query is empty", "write the SELECT whose result the stream table keeps");
        }
        if (query.indexOf('\0') >= 0) {
            throw new InvalidQueryException("spec.query contains a NUL character, which PostgreSQL cannot take",
                    "remove the NUL (\\0) character from the query");
        }
        List<String> statements;
        try {
            statements = SqlText.statements(query);
        } catch (IllegalArgumentException e) {
            throw new InvalidQueryException("query has a syntax error: " + e.getMessage(), "check quotes and comments");
        }
        if (statements.isEmpty()) {
            throw new InvalidQueryException("spec.query contains only comments", "write a SELECT statement");
        }
        if (statements.size() == 1 && driverStatements(statements.get(0)) > 1) {
            // our lexer and the driver's disagree: the driver would send more than one statement
            throw new InvalidQueryException("query contains more than one statement as the database driver reads it",
                    "write exactly one SELECT, without a semicolon inside comments or quotes that could end it");
        }
        if (statements.size() > 1) {
            throw new InvalidQueryException("query contains " + statements.size()
                    + " statements; a stream table is defined by exactly one SELECT",
                    "remove everything after the first statement's semicolon");
        }
        String stmt = statements.get(0);
        String word = SqlText.firstKeyword(stmt);
        if (!ALLOWED_FIRST_WORDS.contains(word) && !COMMAND_WORDS.contains(word)) {
            throw new InvalidQueryException("query does not start with SELECT, WITH, VALUES or TABLE (it starts with '"
                    + (word.isEmpty() ? stmt.strip().split("\\s+", 2)[0] : word) + "')",
                    "check the spelling of the first word; a stream table's query is one read-only SELECT");
        }
        if ((word.equals("select") || word.equals("with")) && SqlText.hasTopLevelWord(stmt, "into")) {
            throw new InvalidQueryException("query is SELECT … INTO, which creates a table; a stream table's query is"
                    + " a plain SELECT", "remove the INTO clause: the stream table itself is the table (spec.table)");
        }
        if (!ALLOWED_FIRST_WORDS.contains(word)) {
            throw new InvalidQueryException("query is a " + (word.isEmpty() ? "non-SQL" : word.toUpperCase(Locale.ROOT))
                    + " statement; a stream table's query must be a read-only SELECT",
                    "write a SELECT (DML and DDL are not allowed)");
        }
        return stmt;
    }

    /**
     * Full check against the target database. Leaves {@code c} in auto-commit mode as found.
     *
     * @throws InvalidQueryException when the query cannot define a stream table
     * @throws SQLException when the database itself fails (connection lost, …)
     */
    public static CheckedQuery check(Connection c, String query) throws SQLException {
        return check(c, query, DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * As {@link #check(Connection, String)}, waiting at most {@code lockTimeout} for a lock on a table the query
     * reads (the stream table's RefreshPolicy lockTimeout); a lock not granted, or a check past its time, is
     * thrown as the database's error (SQLSTATE 55P03, 57014): not the query's fault.
     */
    public static CheckedQuery check(Connection c, String query, java.time.Duration lockTimeout) throws SQLException {
        String timeouts = "SELECT set_config('statement_timeout', '" + CHECK_TIMEOUT + "', true),"
                + " set_config('lock_timeout', '" + lockTimeout.toMillis() + "ms', true)";
        String stmt = singleSelect(query);
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        Set<QualifiedName> sources = new LinkedHashSet<>();
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            s.execute("SET TRANSACTION READ ONLY");
            s.execute(timeouts);
            JsonNode plan;
            try (ResultSet rs = s.executeQuery(EXPLAIN + stmt)) {
                rs.next();
                plan = JSON.readTree(rs.getString(1));
            } catch (PSQLException e) {
                throw fromServer(e, EXPLAIN.length());
            } catch (java.io.IOException e) {
                throw new SQLException("unreadable EXPLAIN output", e);
            }
            walk(plan.path(0).path("Plan"), sources);
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
        // Nothing of the query has run yet: refuse it before the column check (and the load) would run it.
        QueryDependencies dependencies;
        try {
            dependencies = QueryDependencies.of(c, stmt, lockTimeout);
        } catch (PSQLException e) {
            throw fromServer(e, QueryDependencies.VIEW_PREFIX.length());
        }
        List<String> acting = dependencies.volatileFunctions();
        if (!acting.isEmpty()) {
            throw new InvalidQueryException("query calls VOLATILE function" + (acting.size() > 1 ? "s " : " ")
                    + String.join(", ", acting) + "; a stream table's query is run at its load and at every refresh,"
                    + " so it must not act (write, read files, signal sessions, advance sequences) or change on its"
                    + " own: volatile functions are refused, random() and clock_timestamp() included, whose stored"
                    + " result could never be repeated or checked",
                    "remove the call; use now() or current_timestamp (STABLE: the refresh's time) instead of"
                            + " clock_timestamp(), and compute random values outside the stream table");
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            s.execute("SET TRANSACTION READ ONLY");
            s.execute(timeouts);
            List<OutputColumn> columns = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(COLUMNS_PREFIX + stmt + "\n) AS q LIMIT 0")) {
                ResultSetMetaData md = rs.getMetaData();
                Set<String> seen = new HashSet<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String name = md.getColumnLabel(i);
                    if (name.equals("?column?")) {
                        throw new InvalidQueryException("output column " + i + " has no name",
                                "give every computed column a name with AS, e.g. count(*) AS n");
                    }
                    if (name.startsWith("__pgt_")) {
                        throw new InvalidQueryException("output column " + name + " uses the reserved prefix __pgt_",
                                "rename the column");
                    }
                    if (!seen.add(name)) {
                        throw new InvalidQueryException("output column name " + name + " appears more than once",
                                "give the columns distinct names with AS");
                    }
                    columns.add(new OutputColumn(name, md.getColumnTypeName(i)));
                }
            } catch (PSQLException e) {
                throw fromServer(e, COLUMNS_PREFIX.length());
            }
            return new CheckedQuery(stmt, columns, List.copyOf(sources), dependencies);
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
    }

    private static void walk(JsonNode node, Set<QualifiedName> sources) {
        if (node == null || node.isMissingNode()) {
            return;
        }
        String type = node.path("Node Type").asText();
        if (type.equals("ModifyTable")) {
            throw new InvalidQueryException("query modifies data (" + node.path("Operation").asText("a write")
                    + " inside a WITH clause); a stream table's query must be read-only",
                    "remove the INSERT/UPDATE/DELETE/MERGE from the query");
        }
        if (node.hasNonNull("Relation Name")) {
            sources.add(new QualifiedName(node.path("Schema").asText("public"), node.path("Relation Name").asText()));
        }
        for (JsonNode child : node.path("Plans")) {
            walk(child, sources);
        }
    }

    /** {@code e} as the user's error; {@code offset} is the length of the text the check put before the query. */
    private static InvalidQueryException fromServer(PSQLException e, int offset) throws SQLException {
        if ("55P03".equals(e.getSQLState()) || "57014".equals(e.getSQLState())) {
            throw e; // a lock not granted in time, a check past its time: the caller reports the limit
        }
        ServerErrorMessage m = e.getServerErrorMessage();
        if (m == null) {
            throw new IllegalStateException("database error while checking the query: " + e.getMessage(), e);
        }
        String sqlState = m.getSQLState() == null ? "" : m.getSQLState();
        if (sqlState.startsWith("08") || sqlState.startsWith("57") || sqlState.startsWith("53")) {
            // Connection/resource problems are not the query's fault; let the caller retry.
            throw new IllegalStateException("database unavailable while checking the query: " + m.getMessage(), e);
        }
        String msg = "PostgreSQL rejects the query: " + m.getMessage();
        if (m.getPosition() > offset) {
            msg += " (at character " + (m.getPosition() - offset) + " of the query)";
        }
        String hint = m.getHint();
        if (hint == null) {
            hint = switch (sqlState) {
                case "42P01" -> "create the table first, or schema-qualify its name";
                case "42703" -> "check the column names against the table";
                case "42601" -> "fix the SQL syntax; try the query in psql first";
                case "25006" -> "the query tried to write; a stream table's query must be read-only";
                case "42501" -> "grant the operator's database role SELECT on the tables the query reads";
                default -> "run the query in psql against the same database to see the problem";
            };
        }
        return new InvalidQueryException(msg, hint);
    }
}
