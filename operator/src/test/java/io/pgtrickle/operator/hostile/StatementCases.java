package io.pgtrickle.operator.hostile;

import java.util.List;

import static io.pgtrickle.operator.hostile.HostileCase.query;

/**
 * Hostile cases whose query is not one read-only SELECT: DML and DDL and other utility statements, several
 * statements (including ones only a lexer that disagrees with PostgreSQL's would take for one), data-modifying
 * CTEs, {@code SELECT … INTO} and row-locking SELECTs.
 */
final class StatementCases {
    private StatementCases() {
    }

    /** A query PostgreSQL would run as more than one statement, whatever a lexer makes of it. */
    private static final String KILL_SENTINEL = "SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity"
            + " WHERE application_name = 'hostile-sentinel'";

    /** The refusal of a query starting with {@code word}: named as that statement, or as not starting with SELECT. */
    private static String notSelect(String word) {
        return word + " statement|starts with '" + word.toLowerCase(java.util.Locale.ROOT) + "'";
    }

    static List<HostileCase> statements() {
        String c = "statements";
        return List.of(
                query(c, "delete", "DELETE FROM orders", notSelect("DELETE")),
                query(c, "delete-returning", "DELETE FROM orders WHERE id < 10 RETURNING id", notSelect("DELETE")),
                query(c, "update-returning", "UPDATE orders SET amount = 0 RETURNING id, amount", notSelect("UPDATE")),
                query(c, "insert", "INSERT INTO orders VALUES (9999, 1, 1, 'x')", notSelect("INSERT")),
                query(c, "insert-select", "INSERT INTO orders SELECT id + 1000, customer_id, amount, status FROM orders",
                        notSelect("INSERT")),
                query(c, "merge", "MERGE INTO orders o USING customers c ON o.customer_id = c.id"
                        + " WHEN MATCHED THEN DELETE", notSelect("MERGE")),
                query(c, "truncate", "TRUNCATE orders", notSelect("TRUNCATE")),
                query(c, "create-table", "CREATE TABLE hostile_new (id int)", notSelect("CREATE")),
                query(c, "create-table-as", "CREATE TABLE hostile_copy AS SELECT * FROM orders", notSelect("CREATE")),
                query(c, "drop-table", "DROP TABLE orders", notSelect("DROP")),
                query(c, "alter-table", "ALTER TABLE orders DROP COLUMN amount", notSelect("ALTER")),
                query(c, "create-function", "CREATE FUNCTION hostile_f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                        notSelect("CREATE")),
                query(c, "create-role", "CREATE ROLE hostile_intruder SUPERUSER LOGIN", notSelect("CREATE")),
                query(c, "grant", "GRANT ALL ON orders TO PUBLIC", notSelect("GRANT")),
                query(c, "copy-to-file", "COPY orders TO '/tmp/pgtrickle-hostile-copy'", notSelect("COPY")),
                query(c, "copy-from-program", "COPY orders FROM PROGRAM 'id'", notSelect("COPY")),
                query(c, "call", "CALL hostile_procedure()", notSelect("CALL")),
                query(c, "do-block", "DO $$ BEGIN DELETE FROM orders; END $$", notSelect("DO")),
                query(c, "set-role", "SET ROLE NONE", notSelect("SET")),
                query(c, "set-session-authorization", "SET SESSION AUTHORIZATION DEFAULT", notSelect("SET")),
                query(c, "lock", "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", notSelect("LOCK")),
                query(c, "vacuum", "VACUUM FULL orders", notSelect("VACUUM")),
                query(c, "explain-analyze-delete", "EXPLAIN ANALYZE DELETE FROM orders", notSelect("EXPLAIN")),
                query(c, "alter-system", "ALTER SYSTEM SET fsync = off", notSelect("ALTER")),
                query(c, "prepare", "PREPARE p AS DELETE FROM orders", notSelect("PREPARE")),
                query(c, "notify", "NOTIFY hostile_channel", notSelect("NOTIFY")),
                query(c, "begin", "BEGIN", notSelect("BEGIN")),
                query(c, "checkpoint", "CHECKPOINT", notSelect("CHECKPOINT")),
                query(c, "parenthesised-delete", "(DELETE FROM orders)", notSelect("DELETE")));
    }

    static List<HostileCase> severalStatements() {
        String c = "several-statements";
        String several = "statements|exactly one";
        return List.of(
                query(c, "select-then-drop", "SELECT 1 AS x; DROP TABLE orders", several),
                query(c, "select-then-drop-no-space", "SELECT 1 AS x;DROP TABLE orders;--", several),
                query(c, "two-selects", "SELECT 1 AS x; SELECT 2 AS y", several),
                query(c, "select-then-kill", "SELECT 1 AS x; " + KILL_SENTINEL, several),
                query(c, "semicolon-in-string-then-delete", "SELECT ';' AS x; DELETE FROM orders", several),
                query(c, "dollar-quote-then-delete", "SELECT $$;$$ AS x; DELETE FROM orders", several),
                query(c, "comment-then-truncate", "SELECT 1 AS x /* ; */ ; TRUNCATE orders", several),
                query(c, "newline-then-delete", "SELECT 1 AS x\n;\nDELETE FROM orders", several),
                query(c, "escape-string-then-delete", "SELECT E'\\';' AS x; DELETE FROM orders", several),
                query(c, "quoted-alias-then-delete", "SELECT 1 AS \"x;\"; DELETE FROM orders", several),
                // PostgreSQL ends a -- comment at a carriage return as well as at a line feed
                query(c, "carriage-return-ends-comment", "SELECT 1 AS x --\r; " + KILL_SENTINEL,
                        several + "|PostgreSQL rejects"),
                // PostgreSQL's identifiers may contain any non-ASCII character: ·$x$ is one, not a dollar quote
                query(c, "dollar-quote-after-non-ascii", "SELECT 1 AS \u00b7$x$; " + KILL_SENTINEL + "; --$x$",
                        several + "|PostgreSQL rejects"),
                query(c, "dollar-quote-after-non-ascii-do", "SELECT 1 AS \u00b7$x$; DO $d$ BEGIN PERFORM"
                        + " nextval('hostile_seq'); INSERT INTO hostile_audit VALUES ('do'); END $d$; --$x$",
                        several + "|PostgreSQL rejects"));
    }

    static List<HostileCase> dataModifyingCtes() {
        String c = "data-modifying-cte";
        String writes = "modifies data|read-only|data-modifying";
        return List.of(
                query(c, "cte-delete", "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", writes),
                query(c, "cte-update", "WITH u AS (UPDATE orders SET amount = 0 RETURNING id) SELECT id FROM u", writes),
                query(c, "cte-insert", "WITH i AS (INSERT INTO hostile_audit VALUES ('cte') RETURNING what)"
                        + " SELECT what FROM i", writes),
                query(c, "cte-delete-unused", "WITH d AS (DELETE FROM orders) SELECT 1 AS x", writes),
                query(c, "cte-nested-delete", "WITH a AS (SELECT 1 AS x), d AS (DELETE FROM orders WHERE id IN"
                        + " (SELECT x FROM a) RETURNING id) SELECT id FROM d", writes),
                query(c, "cte-in-subquery", "SELECT * FROM (WITH d AS (DELETE FROM orders RETURNING id)"
                        + " SELECT id FROM d) s", writes + "|top level"));
    }

    static List<HostileCase> selectInto() {
        String c = "select-into";
        return List.of(
                query(c, "select-into", "SELECT * INTO copy FROM orders", "INTO"),
                query(c, "select-into-temp", "SELECT id INTO TEMP hostile_tmp FROM orders", "INTO"),
                query(c, "select-into-unlogged", "SELECT 1 AS x INTO UNLOGGED hostile_unlogged", "INTO"),
                query(c, "with-select-into", "WITH a AS (SELECT id FROM orders) SELECT * INTO hostile_into FROM a",
                        "INTO"));
    }

    static List<HostileCase> lockingSelects() {
        String c = "locking-select";
        String locks = "FOR (UPDATE|SHARE|NO KEY UPDATE|KEY SHARE)|read-only";
        return List.of(
                query(c, "for-update", "SELECT id FROM orders FOR UPDATE", locks),
                query(c, "for-share", "SELECT id FROM orders FOR SHARE", locks),
                query(c, "for-no-key-update-nowait", "SELECT id FROM orders FOR NO KEY UPDATE NOWAIT", locks),
                query(c, "for-update-in-subquery", "SELECT * FROM (SELECT id FROM orders FOR UPDATE SKIP LOCKED) s",
                        locks));
    }
}
