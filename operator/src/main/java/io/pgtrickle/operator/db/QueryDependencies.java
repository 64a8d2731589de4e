package io.pgtrickle.operator.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Every relation (with the columns read) and every user function a query depends on, as PostgreSQL itself
 * records them: the query is made a view, inside a transaction that is always rolled back, and the view's
 * rewrite rule's entries in {@code pg_depend} are read. PostgreSQL records a dependency for every relation and
 * column the parse tree names, however deeply nested (an {@code EXISTS} inside an {@code EXISTS}, a
 * sub-query in a join condition), and for functions other than the built-in ones; the engine's own list of
 * sources is checked against it, so it cannot miss one.
 *
 * @param relations the relations, in oid order
 * @param functions every function the query calls (built-ins included; read from the stored query tree), with
 *                  its volatility
 */
public record QueryDependencies(List<Relation> relations, List<Function> functions) {
    public QueryDependencies {
        relations = List.copyOf(relations);
        functions = List.copyOf(functions);
    }

    /**
     * One relation: its kind ({@code pg_class.relkind}: r table, p partitioned, v view, m materialized view,
     * f foreign table) and the columns the query names (when it names none, as in {@code count(*)}, the first
     * column: a change of any row shows in it).
     */
    public record Relation(long oid, String schema, String name, String kind, List<String> columns) {
        public Relation {
            columns = List.copyOf(columns);
        }
    }

    /**
     * A function the query calls: its signature, {@code provolatile} (i, s or v), and whether it is one of
     * PostgreSQL's own (an oid below 16384, FirstNormalObjectId).
     */
    public record Function(String name, String volatility, boolean builtIn) {
    }

    /** The text before the query in the statement that records its dependencies (error positions count it). */
    public static final String VIEW_PREFIX = "CREATE VIEW pgtrickle.\"__pgt_dependencies\" AS\n";

    /** The functions the query calls that are {@code VOLATILE}. */
    public List<String> volatileFunctions() {
        return functions.stream().filter(f -> f.volatility().equals("v")).map(Function::name).toList();
    }

    /** The dependencies of {@code query}; leaves {@code c}'s auto-commit as found and changes nothing. */
    public static QueryDependencies of(Connection c, String query) throws SQLException {
        return of(c, query, java.time.Duration.ofSeconds(30));
    }

    /** As {@link #of(Connection, String)}, waiting at most {@code lockTimeout} for the tables' locks. */
    public static QueryDependencies of(Connection c, String query, java.time.Duration lockTimeout) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        java.sql.Savepoint savepoint = null;
        if (autoCommit) {
            c.setAutoCommit(false);
        } else {
            savepoint = c.setSavepoint();
        }
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            s.execute("SELECT set_config('lock_timeout', '" + lockTimeout.toMillis() + "ms', true)");
            s.execute("CREATE SCHEMA IF NOT EXISTS pgtrickle");
            s.execute(VIEW_PREFIX + query);
            List<Relation> relations = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("""
                    SELECT r.oid, n.nspname, r.relname, r.relkind::text,
                           coalesce(array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attname IS NOT NULL),
                                    ARRAY(SELECT f.attname::text FROM pg_attribute f WHERE f.attrelid = r.oid
                                           AND f.attnum > 0 AND NOT f.attisdropped ORDER BY f.attnum LIMIT 1))
                      FROM pg_depend d
                      JOIN pg_rewrite w ON w.oid = d.objid
                      JOIN pg_class r ON r.oid = d.refobjid
                      JOIN pg_namespace n ON n.oid = r.relnamespace
                      LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0
                     WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
                       AND w.ev_class = 'pgtrickle."__pgt_dependencies"'::regclass AND r.oid <> w.ev_class
                     GROUP BY r.oid, n.nspname, r.relname, r.relkind
                     ORDER BY r.oid""")) {
                while (rs.next()) {
                    relations.add(new Relation(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            List.of((String[]) rs.getArray(5).getArray())));
                }
            }
            List<Function> functions = new ArrayList<>();
            // Every function the stored query tree calls, built-ins included (pg_depend leaves those out): function
            // calls, aggregates, window functions, the functions behind operators, and a TABLESAMPLE method.
            try (ResultSet rs = s.executeQuery("""
                    WITH tree AS (
                        SELECT w.ev_action::text AS t FROM pg_rewrite w
                         WHERE w.ev_class = 'pgtrickle."__pgt_dependencies"'::regclass),
                    called AS (
                        SELECT m[1]::oid AS f FROM tree, regexp_matches(t, ':(?:funcid|aggfnoid|winfnoid|tsmhandler) (\\d+)', 'g') m
                        UNION
                        SELECT o.oprcode::oid FROM tree, regexp_matches(t, ':opno (\\d+)', 'g') m
                          JOIN pg_operator o ON o.oid = m[1]::oid)
                    SELECT DISTINCT p.oid::regprocedure::text, p.provolatile::text, p.oid < 16384
                      FROM called JOIN pg_proc p ON p.oid = called.f
                     ORDER BY 1""")) {
                while (rs.next()) {
                    functions.add(new Function(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
                }
            }
            return new QueryDependencies(relations, functions);
        } finally {
            if (savepoint != null) {
                c.rollback(savepoint);
            } else {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** Whether every relation is a table whose writes triggers see (not a view, foreign table, …). */
    public boolean onlyTables() {
        return relations.stream().allMatch(r -> r.kind().equals("r"));
    }
}
