package io.pgtrickle.operator.cli;

import java.util.Map;

/** The text {@code pgtrickle COMMAND --help} prints: what the command does, its options, its exit codes. */
final class CommandHelp {
    private CommandHelp() {
    }

    private static final String COMMON = """

            NAME is metadata.name, or namespace/name; -n NAMESPACE sets the default namespace ("default").
            Credentials may be given in the URL (?user=..&password=..) or with PGUSER/PGPASSWORD; they are never printed.""";

    private static final Map<String, String> HELP = Map.of(
            "apply", """
                    usage: pgtrickle apply --db JDBC_URL -f FILE... [-n NAMESPACE]

                    Creates or updates the StreamTables in FILE(s) (YAML, several documents, a directory's *.yaml),
                    checks each query, installs change capture and loads the storage table. An unchanged spec
                    changes nothing; a dropped storage table is created again and loaded.
                    Exit codes: 0 all applied, 1 any refused or failed (message and hint on stderr), 2 usage.""",
            "refresh", """
                    usage: pgtrickle refresh --db JDBC_URL NAME... [--only]

                    Refreshes the named stream tables now, each in one transaction. The stream tables they read
                    (directly or through others) are refreshed first, to the same point; --only refreshes just
                    the named ones.
                    Exit codes: 0 all refreshed, 1 any failed or unknown, 2 usage.""",
            "status", """
                    usage: pgtrickle status --db JDBC_URL [-o table|json]

                    Every stream table in the database: mode, last refresh, staleness, errors.
                    Exit codes: 0, 1 database error, 2 usage.""",
            "explain", """
                    usage: pgtrickle explain --db JDBC_URL -f FILE... [--sql]

                    What apply would install, changing nothing: the effective mode and why, the captured
                    columns, and the refresh statement; --sql adds the storage DDL and the change SELECT.
                    Refuses what apply refuses (a query, a table conflict, a missing schema, a mode).
                    Exit codes: 0, 1 any refused, 2 usage.""",
            "delete", """
                    usage: pgtrickle delete --db JDBC_URL NAME... [--retain]

                    Removes stream tables as the operator's finalizer does: drops the storage table (kept, and
                    writable like any table, with --retain), the catalog rows, and change capture no other
                    stream table needs.
                    Exit codes: 0 all deleted, 1 any unknown or failed, 2 usage.""",
            "verify", """
                    usage: pgtrickle verify --db JDBC_URL NAME... [--rows N] [--repair]

                    Compares each stream table with its query, changing nothing: in one REPEATABLE READ transaction
                    that is rolled back, the changes since its last refresh are applied as the next refresh would,
                    then the table is compared with PostgreSQL's result of the query in the same snapshot. Blocks no
                    writer; waits for a refresh of the same stream table in progress. Prints "NAME  consistent" or
                    "NAME  DIFFERS" and up to N (default 10) missing and extra rows each; --repair recomputes a
                    differing table with a FULL refresh.
                    Exit codes: 0 all equal their query, 1 any differs, 2 none differs but one could not be
                    verified (unknown, suspended and differing, an error), or usage.""",
            "run", """
                    usage: pgtrickle run --db JDBC_URL -f FILE... [--duration 10m]

                    Applies the files, then refreshes on schedule until interrupted (Ctrl-C exits 0) or for
                    --duration. Prints a line per refresh that changed rows and a summary every 5 minutes, and
                    a line per verification when a RefreshPolicy in the files sets verification.interval.
                    Exit codes: 0, 1 an apply failed, 2 usage.""",
            "demo", """
                    usage: pgtrickle demo [--duration 60s]

                    An embedded PostgreSQL, the sample schema, the StreamTables in examples/ and a write load,
                    with a live status table. Ctrl-C stops it.""");

    /** The help of {@code command}, or null for an unknown one. */
    static String of(String command) {
        String h = HELP.get(command);
        return h == null ? null : h + COMMON;
    }
}
