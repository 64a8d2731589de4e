package io.pgtrickle.operator.hostile;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.pgtrickle.operator.hostile.HostileCase.query;
import static io.pgtrickle.operator.hostile.HostileCase.spec;

/**
 * Hostile queries that are SELECTs but cannot define a stream table (enormous, empty, comment-only, malformed,
 * unterminated, failing at the load, columns a table cannot have), hostile values of the other spec fields
 * (refresh mode, schedule, RefreshPolicy timeouts), and targets that are not there (a database that does not
 * exist, a port nothing listens on, a database pg-trickle was never installed in).
 */
final class QueryCases {
    private QueryCases() {
    }

    private static String columns(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "1 AS c" + i).collect(Collectors.joining(", "));
    }

    static List<HostileCase> enormous() {
        String c = "enormous";
        String limit = "spec\\.query";
        return List.of(
                query(c, "query-1mb", "SELECT 1 AS x WHERE '" + "a".repeat(1 << 20) + "' <> ''", limit).crd(),
                query(c, "query-70kb", "SELECT 1 AS x WHERE '" + "a".repeat(70_000) + "' <> ''", limit).crd(),
                query(c, "nesting-20000-deep", "SELECT " + "(".repeat(20_000) + "1" + ")".repeat(20_000) + " AS x",
                        "PostgreSQL rejects|stack depth|too (deep|complex)|memory exhausted"),
                query(c, "columns-1700", "SELECT " + columns(1700), "1664|too many|at most"),
                query(c, "columns-1601", "SELECT " + columns(1601), "1600|too many|at most").onlyAtLoad());
    }

    static List<HostileCase> malformed() {
        String c = "malformed";
        String noName = "no name";
        return List.of(
                query(c, "empty-query", "", "spec\\.query|empty"),
                query(c, "whitespace-query", " \n\t ", "spec\\.query|empty"),
                query(c, "comment-only", "-- nothing to see here", "comment"),
                query(c, "block-comment-only", "/* nothing */", "comment"),
                query(c, "semicolon-only", ";", "comment|empty|statement"),
                query(c, "misspelled-select", "SELEC 1", "SELEC"),
                query(c, "truncated-select", "SELECT 1 AS x FROM", "syntax error"),
                query(c, "missing-table", "SELECT id FROM no_such_table", "no_such_table.*does not exist"),
                query(c, "missing-column", "SELECT no_such_column FROM orders", "no_such_column.*does not exist"),
                query(c, "self-reference", "SELECT * FROM out_self_reference", "does not exist"),
                query(c, "division-by-zero-constant", "SELECT 1 / 0 AS r", "division by zero"),
                query(c, "division-by-zero-at-load", "SELECT id, amount / (id - id) AS r FROM orders",
                        "division by zero").onlyAtLoad(),
                query(c, "void-column", "SELECT ''::void AS v", "void|pseudo-type"),
                query(c, "record-column", "SELECT ROW(1, 'a') AS r", "record|pseudo-type"),
                query(c, "cstring-column", "SELECT 'x'::cstring AS c", "cstring|pseudo-type"),
                query(c, "unnamed-column", "SELECT 1", noName),
                query(c, "duplicate-column", "SELECT 1 AS a, 2 AS a", "more than once"),
                query(c, "reserved-column-prefix", "SELECT 1 AS __pgt_row_id", "reserved"),
                query(c, "unterminated-string", "SELECT 'abc AS x", "unterminated|syntax"),
                query(c, "unterminated-comment", "SELECT 1 AS x /* never closed", "unterminated|syntax"),
                query(c, "unterminated-dollar-quote", "SELECT $q$abc AS x", "unterminated|syntax"),
                query(c, "nul-character", "SELECT 'a\u0000b' AS x", "NUL|zero byte|null character|0x00"),
                query(c, "psql-meta-command", "\\! id", "non-SQL|statement|does not start with"));
    }

    static List<HostileCase> specFields() {
        String c = "spec-field";
        String schedule = "schedule";
        return List.of(
                spec(c, "refresh-mode-immediate", "refresh-mode-immediate", "out_immediate", "SELECT id FROM orders",
                        "refreshMode: IMMEDIATE", "IMMEDIATE"),
                spec(c, "refresh-mode-unknown", "refresh-mode-unknown", "out_mode", "SELECT id FROM orders",
                        "refreshMode: SOMETIMES", "refreshMode").crd(),
                spec(c, "schedule-empty", "schedule-empty", "out_sched_empty", "SELECT 1 AS x", "schedule: \"\"",
                        schedule).crd(),
                spec(c, "schedule-zero", "schedule-zero", "out_sched_zero", "SELECT 1 AS x", "schedule: 0s", schedule),
                spec(c, "schedule-words", "schedule-words", "out_sched_words", "SELECT 1 AS x",
                        "schedule: every minute", schedule),
                spec(c, "schedule-six-fields", "schedule-six-fields", "out_sched_six", "SELECT 1 AS x",
                        "schedule: \"* * * * * *\"", schedule),
                spec(c, "schedule-minute-99", "schedule-minute-99", "out_sched_99", "SELECT 1 AS x",
                        "schedule: \"99 * * * *\"", schedule),
                spec(c, "schedule-20-digits", "schedule-20-digits", "out_sched_digits", "SELECT 1 AS x",
                        "schedule: 99999999999999999999d", schedule),
                spec(c, "schedule-overflowing-days", "schedule-overflowing-days", "out_sched_days", "SELECT 1 AS x",
                        "schedule: 9999999999999999d", schedule),
                spec(c, "statement-timeout-zero", "statement-timeout-zero", "out_timeout_zero", "SELECT 1 AS x", "",
                        "statementTimeout").withPolicy("statementTimeout: 0s"),
                spec(c, "lock-timeout-overflowing", "lock-timeout-overflowing", "out_lock_overflow", "SELECT 1 AS x",
                        "", "lockTimeout").withPolicy("lockTimeout: 9999999999999999d"));
    }

    static List<HostileCase> targets() {
        String c = "target";
        return List.of(
                query(c, "missing-database", "SELECT 1 AS one", "hostile_no_such_db.*does not exist|does not exist")
                        .as(HostileCase.Role.MISSING_DATABASE),
                query(c, "unreachable-database", "SELECT 1 AS one", "refused|connect|reach")
                        .as(HostileCase.Role.UNREACHABLE),
                query(c, "fresh-database-delete", "DELETE FROM orders", "DELETE statement")
                        .as(HostileCase.Role.FRESH_DATABASE),
                spec(c, "fresh-database-system-table", "fresh-database-system-table", "pg_catalog.pg_class",
                        "SELECT 1 AS one", "", "system schema|reserved").as(HostileCase.Role.FRESH_DATABASE));
    }
}
