package io.pgtrickle.operator.hostile;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.testing.PostgresExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The database the hostile cases are applied to: sources ({@code orders}, {@code customers}), secret tables the
 * restricted role cannot read, the writing user functions (directly, and hidden in a view, a domain, an aggregate,
 * an operator and a row-level security policy; each advances sequence {@code hostile_calls} first, so a body that
 * ran in a writable transaction shows), a sequence, a large object, two installed stream tables (one created by
 * the restricted role, which owns the catalog, one capturing {@code orders}), a database pg-trickle was never
 * installed in, and the sentinel: a session that must survive every case.
 */
final class HostileFixture implements AutoCloseable {
    static final String SENTINEL = "hostile-sentinel";

    private final PostgresExtension.TestDatabase db;
    private final String restrictedRole;
    private final String freshDatabase;
    /** The last snapshot known to be current, of the fresh database (true) and of the test's (false). */
    private final java.util.Map<Boolean, DatabaseSnapshot> clean = new java.util.HashMap<>();
    private Connection sentinel;
    private int sentinelPid;

    private HostileFixture(PostgresExtension.TestDatabase db, String restrictedRole, String freshDatabase) {
        this.db = db;
        this.restrictedRole = restrictedRole;
        this.freshDatabase = freshDatabase;
    }

    /** Creates everything in {@code db}; {@code prefix} makes the cluster-wide names (role, database) unique. */
    static HostileFixture create(PostgresExtension.TestDatabase db, String prefix) throws SQLException {
        HostileFixture f = new HostileFixture(db, prefix + "_restricted", db.name() + "_fresh");
        JdbcDatabase restricted = db.operatorRole(f.restrictedRole);
        db.exec(SCHEMA.split(";;\n"));
        String r = f.restrictedRole;
        db.exec("GRANT SELECT, TRIGGER ON orders, customers, guarded TO " + r, "GRANT SELECT (id) ON secret_salaries TO " + r,
                "GRANT INSERT ON hostile_audit TO " + r, "GRANT USAGE ON SEQUENCE hostile_calls TO " + r);
        // the restricted role installs the catalog and change capture (and owns both schemas), as an operator would
        new StreamTableService(restricted).apply(definition("baseline-restricted", "baseline_restricted",
                "SELECT id, status FROM orders"));
        new StreamTableService(db.asDatabase()).apply(definition("baseline-totals", "baseline_totals",
                "SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id"));
        PostgresExtension.server().createDatabase(f.freshDatabase);
        f.openSentinel();
        return f;
    }

    private static StreamTableDefinition definition(String name, String table, String query) {
        return new StreamTableDefinition(new StreamTableKey("default", name), "uid-" + name, QualifiedName.parse(table),
                query, RefreshMode.AUTO, "1m", false, ReclaimPolicy.Delete, 1L);
    }

    /** The JDBC URL a case's role connects with. */
    String url(HostileCase.Role role) {
        return switch (role) {
            case OWNER -> db.jdbcUrl();
            case RESTRICTED -> db.jdbcUrl().replaceAll("user=[^&]*", "user=" + restrictedRole);
            case FRESH_DATABASE -> PostgresExtension.server().jdbcUrl(freshDatabase);
            // a test password, marked so that run-tests.sh fails the run if any output shows it
            case MISSING_DATABASE -> PostgresExtension.server().jdbcUrl("hostile_no_such_db")
                    + "&password=pgt-secret-hostile-7f2e";
            case UNREACHABLE -> "jdbc:postgresql://127.0.0.1:1/" + db.name() + "?user=postgres"
                    + "&password=pgt-secret-hostile-7f2e&connectTimeout=2";
        };
    }

    /** A superuser connection to the database a case with {@code role} changes (the fresh one, or the test's). */
    Connection observe(HostileCase.Role role) throws SQLException {
        return role == HostileCase.Role.FRESH_DATABASE
                ? DriverManager.getConnection(PostgresExtension.server().jdbcUrl(freshDatabase))
                : db.connect();
    }

    private void openSentinel() throws SQLException {
        sentinel = DriverManager.getConnection(db.jdbcUrl() + "&ApplicationName=" + SENTINEL);
        sentinelPid = backendPid(sentinel);
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** "alive" while the session opened before the cases still answers as the same backend. */
    String sentinelState() {
        try {
            return backendPid(sentinel) == sentinelPid ? "alive" : "replaced";
        } catch (SQLException e) {
            return "terminated";
        }
    }

    /** Undoes what a failed case did, as far as it can, so that the next case starts from the same state. */
    void restore(HostileCase c, DatabaseSnapshot before, DatabaseSnapshot after) throws SQLException {
        if (before != null && before.equals(after)) {
            clean.put(c.role() == HostileCase.Role.FRESH_DATABASE, after); // the next case's "before"
            return;
        }
        clean.clear();
        if (!sentinelState().equals("alive")) {
            try {
                sentinel.close();
            } catch (SQLException ignored) {
                // already gone
            }
            openSentinel();
        }
        deleteExport();
        if (before == null || before.equals(after)) {
            return;
        }
        try (Connection conn = observe(c.role())) {
            bestEffort(conn, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM '" + SENTINEL + "'"
                    + " AND backend_type = 'client backend'");
            deleteNewStreamTables(conn);
            for (String key : after.entries().keySet()) {
                String was = before.entries().get(key);
                if (key.startsWith("trigger ") && was != null && !was.equals(after.entries().get(key))) {
                    String t = key.substring("trigger ".length());
                    int space = t.lastIndexOf(' ');
                    bestEffort(conn, "ALTER TABLE " + t.substring(0, space) + " " + switch (was) {
                        case "A" -> "ENABLE ALWAYS";
                        case "R" -> "ENABLE REPLICA";
                        case "D" -> "DISABLE";
                        default -> "ENABLE";
                    } + " TRIGGER " + t.substring(space + 1));
                }
            }
            for (String key : after.added(before)) {
                String kind = after.entries().get(key);
                if (key.startsWith("relation ") && !key.startsWith("relation pgtrickle")) {
                    String what = switch (kind) {
                        case "v" -> "VIEW";
                        case "m" -> "MATERIALIZED VIEW";
                        case "S" -> "SEQUENCE";
                        case "i" -> "INDEX";
                        default -> "TABLE";
                    };
                    bestEffort(conn, "DROP " + what + " IF EXISTS " + key.substring("relation ".length()) + " CASCADE");
                } else if (key.startsWith("schema ")) {
                    bestEffort(conn, "DROP SCHEMA IF EXISTS "
                            + Identifiers.quote(key.substring("schema ".length())) + " CASCADE");
                } else if (key.startsWith("replication slot ")) {
                    bestEffort(conn, "SELECT pg_drop_replication_slot("
                            + Identifiers.literal(key.substring("replication slot ".length())) + ")");
                }
            }
            bestEffort(conn, "TRUNCATE hostile_audit");
        }
    }

    /** Deletes, as pg-trickle does, every stream table but the fixture's (a known gap may have installed one). */
    private void deleteNewStreamTables(Connection c) {
        List<String[]> installed = new java.util.ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT namespace, name, resource_uid"
                + " FROM pgtrickle.stream_tables WHERE name NOT IN ('baseline-restricted', 'baseline-totals')")) {
            while (rs.next()) {
                installed.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        } catch (SQLException noCatalog) {
            return;
        }
        StreamTableService owner = new StreamTableService(db.asDatabase());
        for (String[] st : installed) {
            try {
                owner.delete(new StreamTableKey(st[0], st[1]), st[2], ReclaimPolicy.Delete);
            } catch (SQLException | RuntimeException e) {
                bestEffort(c, "DELETE FROM pgtrickle.stream_tables WHERE namespace = " + Identifiers.literal(st[0])
                        + " AND name = " + Identifiers.literal(st[1]));
            }
        }
    }

    private static void bestEffort(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            // best effort: the next case compares with its own snapshot
        }
    }

    private static void deleteExport() {
        try {
            Files.deleteIfExists(Path.of(FunctionCases.EXPORT_PATH));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The snapshot before a case with {@code role}: the previous case's "after" when that case changed nothing (and
     * so nothing was restored since), else a new one.
     */
    DatabaseSnapshot before(HostileCase.Role role) throws SQLException {
        DatabaseSnapshot cached = clean.remove(role == HostileCase.Role.FRESH_DATABASE);
        return cached != null ? cached : snapshot(role);
    }

    /** The snapshot of everything a case must not change in the database {@code role} targets. */
    DatabaseSnapshot snapshot(HostileCase.Role role) throws SQLException {
        try (Connection c = observe(role)) {
            DatabaseSnapshot.awaitOtherSessionsGone(c, SENTINEL);
            return DatabaseSnapshot.take(c, SENTINEL, List.of("sentinel session " + sentinelState(),
                    "exported file " + (Files.exists(Path.of(FunctionCases.EXPORT_PATH)) ? "present" : "absent")));
        }
    }

    @Override
    public void close() throws SQLException {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    private static final String SCHEMA = """
            CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, amount numeric(12,2), status text);;
            INSERT INTO orders SELECT g, g % 10, g * 1.5, CASE WHEN g % 3 = 0 THEN 'open' ELSE 'done' END
              FROM generate_series(1, 200) g;;
            CREATE TABLE customers (id int PRIMARY KEY, name text);;
            INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(0, 9) g;;
            CREATE INDEX orders_status_idx ON orders (status);;
            CREATE VIEW open_orders AS SELECT id, amount FROM orders WHERE status = 'open';;
            CREATE MATERIALIZED VIEW order_count AS SELECT count(*) AS n FROM orders;;
            CREATE SEQUENCE hostile_seq;;
            CREATE SEQUENCE hostile_calls;;
            CREATE TABLE hostile_audit (what text);;
            CREATE FUNCTION hostile_log(v bigint) RETURNS bigint LANGUAGE plpgsql AS $$
              BEGIN PERFORM nextval('hostile_calls'); INSERT INTO hostile_audit VALUES ('log ' || v); RETURN v; END $$;;
            CREATE FUNCTION hostile_read_file() RETURNS text LANGUAGE plpgsql AS $$
              BEGIN PERFORM nextval('hostile_calls'); RETURN pg_read_file('/etc/hostname'); END $$;;
            CREATE PROCEDURE hostile_procedure() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; END $$;;
            CREATE FUNCTION hostile_log_step(s bigint, v bigint) RETURNS bigint LANGUAGE plpgsql AS $$
              BEGIN PERFORM nextval('hostile_calls'); INSERT INTO hostile_audit VALUES ('aggregate');
                RETURN coalesce(s, 0) + v; END $$;;
            CREATE AGGREGATE hostile_logging_sum(bigint) (SFUNC = hostile_log_step, STYPE = bigint);;
            CREATE FUNCTION hostile_log_eq(a bigint, b bigint) RETURNS boolean LANGUAGE plpgsql AS $$
              BEGIN PERFORM nextval('hostile_calls'); INSERT INTO hostile_audit VALUES ('operator'); RETURN a = b; END $$;;
            CREATE OPERATOR === (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile_log_eq);;
            CREATE VIEW logging_view AS SELECT id, hostile_log(id) AS logged FROM orders;;
            CREATE DOMAIN logged_id AS bigint CHECK (hostile_log(VALUE) IS NOT NULL);;
            CREATE FUNCTION hostile_stable_writer(v bigint) RETURNS bigint STABLE LANGUAGE plpgsql AS $$
              BEGIN INSERT INTO hostile_audit VALUES ('stable ' || v); RETURN v; END $$;;
            CREATE FUNCTION hostile_stable_next() RETURNS bigint STABLE LANGUAGE sql AS $$ SELECT nextval('hostile_seq') $$;;
            CREATE FUNCTION hostile_stable_sleep() RETURNS int STABLE LANGUAGE plpgsql AS $$
              BEGIN PERFORM pg_sleep(600); RETURN 1; END $$;;
            CREATE FUNCTION hostile_immutable_kill() RETURNS boolean IMMUTABLE LANGUAGE plpgsql AS $$
              BEGIN RETURN (SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity
                WHERE application_name = 'hostile-sentinel'); END $$;;
            CREATE TABLE secret_salaries (id int PRIMARY KEY, salary int);;
            INSERT INTO secret_salaries SELECT g, g * 1000 FROM generate_series(1, 5) g;;
            CREATE SCHEMA vault;;
            CREATE TABLE vault.keys (k text);;
            INSERT INTO vault.keys VALUES ('the vault key');;
            CREATE TABLE guarded (id bigint, v int);;
            INSERT INTO guarded SELECT g, g FROM generate_series(1, 5) g;;
            ALTER TABLE guarded ENABLE ROW LEVEL SECURITY;;
            CREATE POLICY logged ON guarded USING (hostile_log(id) IS NOT NULL);;
            SELECT lo_from_bytea(0, 'an existing large object')""";
}
