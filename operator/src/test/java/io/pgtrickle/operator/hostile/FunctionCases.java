package io.pgtrickle.operator.hostile;

import java.util.List;

import static io.pgtrickle.operator.hostile.HostileCase.query;

/**
 * Hostile cases that call functions: VOLATILE and privileged built-ins (large objects, files, signals, sequences,
 * replication, configuration), the fixture's writing user functions called directly or hidden (in a view, a domain,
 * an aggregate, an operator, a row-level security policy), functions whose declared volatility is a lie, sleeps
 * beyond the statement timeout, and tables the restricted operator role cannot read.
 */
final class FunctionCases {
    private FunctionCases() {
    }

    /** Where {@code lo_export} would write: it must not exist after any case. */
    static final String EXPORT_PATH = System.getProperty("java.io.tmpdir") + "/pgtrickle-hostile-export-"
            + ProcessHandle.current().pid();

    static List<HostileCase> volatileFunctions() {
        String c = "volatile-function";
        String vol = "VOLATILE";
        return List.of(
                query(c, "lo-import", "SELECT lo_import('/etc/passwd') AS o", vol),
                query(c, "lo-export", "SELECT lo_export(min(oid), '" + EXPORT_PATH + "') AS e FROM pg_largeobject_metadata",
                        vol),
                query(c, "lo-create", "SELECT lo_create(0) AS o", vol),
                query(c, "lo-from-bytea", "SELECT lo_from_bytea(0, 'x') AS o", vol),
                query(c, "lo-unlink", "SELECT lo_unlink(min(oid)) AS u FROM pg_largeobject_metadata", vol),
                query(c, "pg-read-file", "SELECT pg_read_file('/etc/hostname') AS f", vol),
                query(c, "pg-read-binary-file", "SELECT pg_read_binary_file('/etc/passwd') AS f", vol),
                query(c, "pg-ls-dir", "SELECT pg_ls_dir('.') AS f", vol),
                query(c, "pg-stat-file", "SELECT (pg_stat_file('postgresql.conf')).size AS s", vol),
                query(c, "user-function-reading-a-file", "SELECT hostile_read_file() AS f", vol),
                query(c, "terminate-backend", "SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity"
                        + " WHERE application_name = 'hostile-sentinel'", vol),
                query(c, "cancel-backend", "SELECT pg_cancel_backend(pid) AS k FROM pg_stat_activity", vol),
                query(c, "reload-conf", "SELECT pg_reload_conf() AS r", vol),
                query(c, "nextval", "SELECT nextval('hostile_seq') AS n", vol),
                query(c, "setval", "SELECT setval('hostile_seq', 1000) AS n", vol),
                query(c, "nextval-in-where", "SELECT id FROM orders WHERE nextval('hostile_seq') > 0", vol),
                query(c, "advisory-lock", "SELECT pg_advisory_lock(42) IS NULL AS l", vol),
                query(c, "pg-notify", "SELECT pg_notify('hostile', 'x') IS NULL AS n", vol),
                query(c, "set-config", "SELECT set_config('default_transaction_read_only', 'off', false) AS s", vol),
                query(c, "logical-message", "SELECT pg_logical_emit_message(false, 'hostile', 'x') AS m", vol),
                query(c, "create-replication-slot", "SELECT (pg_create_logical_replication_slot('hostile_slot',"
                        + " 'pgoutput')).slot_name AS s", vol),
                query(c, "switch-wal", "SELECT pg_switch_wal() AS w", vol),
                query(c, "query-to-xml-delete", "SELECT query_to_xml('DELETE FROM orders RETURNING id', true, true,"
                        + " '') AS x", vol),
                query(c, "ts-stat-runs-sql", "SELECT * FROM ts_stat('SELECT to_tsvector(status) FROM orders')", vol),
                query(c, "random", "SELECT id, random() AS r FROM orders", vol),
                query(c, "clock-timestamp", "SELECT clock_timestamp() AS t", vol),
                query(c, "writing-user-function", "SELECT id, hostile_log(id) AS l FROM orders", vol),
                query(c, "writing-user-function-in-join", "SELECT o.id FROM orders o JOIN customers c"
                        + " ON c.id = o.customer_id AND hostile_log(o.id) > 0", vol),
                query(c, "writing-user-function-in-cte", "WITH w AS (SELECT hostile_log(id) AS l FROM orders)"
                        + " SELECT count(*) AS n FROM w", vol),
                query(c, "writing-user-function-lateral", "SELECT o.id, l.v FROM orders o,"
                        + " LATERAL (SELECT hostile_log(o.id) AS v) l", vol),
                query(c, "writing-user-operator", "SELECT id FROM orders WHERE id === 3", vol));
    }

    static List<HostileCase> hiddenFunctions() {
        String c = "hidden-function";
        return List.of(
                // the writing function is inside the view, not in the query's own tree
                query(c, "view-calling-writing-function", "SELECT id, logged FROM logging_view", "VOLATILE"),
                query(c, "domain-check-calling-writing-function", "SELECT id::logged_id AS v FROM orders",
                        "VOLATILE|domain"),
                query(c, "aggregate-with-writing-step", "SELECT hostile_logging_sum(id) AS s FROM orders",
                        "VOLATILE|aggregate"),
                query(c, "row-security-policy-calling-writing-function", "SELECT id, v FROM guarded",
                        "VOLATILE|polic").as(HostileCase.Role.RESTRICTED),
                // declared STABLE: PostgreSQL itself refuses its INSERT
                query(c, "stable-function-that-writes", "SELECT id, hostile_stable_writer(id) AS w FROM orders",
                        "non-volatile|INSERT").onlyAtLoad(),
                // declared STABLE, advances a sequence (PostgreSQL allows nextval there)
                query(c, "stable-function-advancing-a-sequence", "SELECT hostile_stable_next() AS n",
                        "VOLATILE|sequence"),
                // declared IMMUTABLE: PostgreSQL evaluates it while planning
                query(c, "immutable-function-terminating-sessions", "SELECT hostile_immutable_kill() AS k",
                        "VOLATILE|terminat"));
    }

    static List<HostileCase> sleeps() {
        String c = "sleep";
        return List.of(
                query(c, "pg-sleep-600", "SELECT 1 AS x FROM pg_sleep(600)", "VOLATILE"),
                query(c, "pg-sleep-for", "SELECT pg_sleep_for('10 minutes') IS NULL AS s", "VOLATILE"),
                query(c, "pg-sleep-in-where", "SELECT id FROM orders WHERE pg_sleep(600) IS NOT NULL", "VOLATILE"),
                query(c, "stable-function-sleeping-beyond-the-timeout", "SELECT hostile_stable_sleep() AS s",
                        "statementTimeout \\(1s\\)").onlyAtLoad().withPolicy("statementTimeout: 1s"),
                query(c, "endless-query-beyond-the-timeout", "SELECT count(*) AS n FROM generate_series(1,"
                        + " 100000000000) g", "statementTimeout \\(1s\\)").onlyAtLoad().withPolicy("statementTimeout: 1s"));
    }

    static List<HostileCase> privileges() {
        String c = "privilege";
        String denied = "permission denied";
        HostileCase.Role r = HostileCase.Role.RESTRICTED;
        return List.of(
                query(c, "table-not-granted", "SELECT * FROM secret_salaries", denied).as(r),
                query(c, "column-not-granted", "SELECT id, salary FROM secret_salaries", denied).as(r),
                query(c, "schema-not-granted", "SELECT k FROM vault.keys", denied).as(r),
                query(c, "pg-authid", "SELECT rolname, rolpassword FROM pg_authid", denied).as(r),
                query(c, "pg-statistic", "SELECT starelid FROM pg_statistic", denied).as(r),
                query(c, "pg-largeobject", "SELECT loid FROM pg_largeobject", denied).as(r),
                query(c, "privileged-stable-function", "SELECT name, setting FROM pg_config()", denied).as(r),
                query(c, "pg-read-file-as-restricted", "SELECT pg_read_file('/etc/hostname') AS f",
                        "VOLATILE|" + denied).as(r),
                query(c, "secret-table-through-subquery", "SELECT id FROM orders WHERE id IN"
                        + " (SELECT salary FROM secret_salaries)", denied).as(r));
    }
}
