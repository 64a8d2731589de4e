package io.pgtrickle.e2e;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.operator.controller.OperatorRuntime;
import io.pgtrickle.operator.db.EmbeddedPostgresServer;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sample of the hostile-input suite (operator module, package {@code hostile}) against the real API server with
 * the real kubectl: bad StreamTables the API server accepts are applied together, and each must end Ready=False with
 * the expected reason, a message saying what is wrong and a Warning event, having executed nothing (the sentinel
 * session alive, the sources, the side-effect table and the sequence unchanged, no large object) and installed
 * nothing; bad StreamTables the CRD's schema refuses must be refused by kubectl, creating nothing.
 */
class HostileE2E {
    private static final String NS = "hostile";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Marked so that run-tests.sh fails the run if it appears in any output, status or event. */
    private static final String TEST_PASSWORD = "pgt-secret-hostile-e2e-5a1c";

    private static KubeCluster k8s;
    private static KubernetesClient client;
    private static OperatorRuntime operator;
    private static JdbcDatabase app;
    private static Connection sentinel;

    /** A StreamTable the API server accepts and the operator must refuse with {@code reason}. */
    private record Bad(String name, String spec, String reason, String message) {
    }

    private static final List<Bad> REFUSED_BY_THE_OPERATOR = List.of(
            new Bad("h-delete", "query: DELETE FROM orders", "InvalidQuery", "DELETE"),
            new Bad("h-two-statements", "query: \"SELECT 1 AS x; DROP TABLE orders\"", "InvalidQuery", "statements"),
            new Bad("h-cte-delete", "query: WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d",
                    "InvalidQuery", "modifies data"),
            new Bad("h-select-into", "query: SELECT * INTO copy FROM orders", "InvalidQuery", "INTO"),
            new Bad("h-lo-import", "query: SELECT lo_import('/etc/passwd') AS o", "InvalidQuery", "VOLATILE"),
            new Bad("h-terminate", "query: SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity"
                    + " WHERE application_name = 'hostile-sentinel'", "InvalidQuery", "VOLATILE"),
            new Bad("h-nextval", "query: SELECT nextval('hostile_seq') AS n", "InvalidQuery", "VOLATILE"),
            new Bad("h-writing-function", "query: SELECT id, hostile_log(id) AS l FROM orders", "InvalidQuery",
                    "VOLATILE"),
            new Bad("h-source-as-table", "table: orders\n  query: SELECT id FROM customers", "TableConflict",
                    "already exists"),
            new Bad("h-missing-secret", "query: SELECT 1 AS one", "TargetNotFound", "Secret nowhere"),
            new Bad("h-missing-database", "database: hostile_no_such_db\n  query: SELECT 1 AS one",
                    "ApplyFailed|ConnectionFailed", "hostile_no_such_db"),
            new Bad("h-missing-policy", "query: SELECT 1 AS one\n  refreshPolicyRef: {name: nowhere}",
                    "RefreshPolicyNotFound", "nowhere"),
            new Bad("h-division-at-load", "query: SELECT id, amount / (id - id) AS r FROM orders", "ApplyFailed",
                    "division by zero"));

    @BeforeAll
    static void start() throws Exception {
        k8s = KubeCluster.get();
        client = k8s.client();
        EmbeddedPostgresServer pg = PostgresExtension.server();
        pg.createDatabase("hostile_app");
        app = JdbcDatabase.fromUrl(pg.jdbcUrl("hostile_app"));
        exec("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, amount numeric(12,2))",
                "INSERT INTO orders SELECT g, g % 10, g * 1.5 FROM generate_series(1, 100) g",
                "CREATE TABLE customers (id int PRIMARY KEY)", "INSERT INTO customers SELECT generate_series(0, 9)",
                "CREATE SEQUENCE hostile_seq", "CREATE TABLE hostile_audit (what text)",
                "CREATE FUNCTION hostile_log(v bigint) RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO hostile_audit VALUES (v::text); RETURN v; END $$");
        sentinel = DriverManager.getConnection(pg.jdbcUrl("hostile_app") + "&ApplicationName=hostile-sentinel");

        k8s.kubectl("apply", "-f", "crds/").assertOk();
        for (String crd : List.of("streamtables.pgtrickle.io", "refreshpolicies.pgtrickle.io")) {
            k8s.kubectl("wait", "--for=condition=Established", "crd/" + crd, "--timeout=60s").assertOk();
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .serverSideApply();
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("pg-app")
                .endMetadata().withStringData(Map.of("username", "postgres", "password", TEST_PASSWORD,
                        "dbname", "hostile_app", "host", "127.0.0.1", "port", Integer.toString(pg.port()))).build())
                .serverSideApply();
        operator = new OperatorRuntime(client, 2, Set.of(NS)).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            operator.close();
        }
        if (sentinel != null) {
            sentinel.close();
        }
        // the statuses and events, into the run's output that run-tests.sh searches for TEST_PASSWORD
        System.out.println(k8s.kubectl("get", "streamtables", "-n", NS, "-o", "yaml").stdout());
        System.out.println(k8s.kubectl("get", "events", "-n", NS, "-o", "yaml").stdout());
    }

    private static void exec(String... sql) throws Exception {
        try (Connection c = app.connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static List<String> state() throws Exception {
        try (Connection c = app.connect()) {
            List<String> out = new ArrayList<>(Rows.multiset(c, "SELECT md5(string_agg(o::text, ',' ORDER BY id))"
                    + " FROM orders o"));
            out.addAll(Rows.multiset(c, "SELECT 'audit ' || count(*) FROM hostile_audit"));
            out.addAll(Rows.multiset(c, "SELECT 'sequence ' || coalesce(last_value, 0) FROM pg_sequences"
                    + " WHERE sequencename = 'hostile_seq'"));
            out.addAll(Rows.multiset(c, "SELECT 'large objects ' || count(*) FROM pg_largeobject_metadata"));
            out.addAll(Rows.multiset(c, "SELECT 'relation ' || relname FROM pg_class WHERE relname LIKE 'h\\_%'"));
            return out;
        }
    }

    private static Condition ready(String name) {
        StreamTable st = client.resources(StreamTable.class).inNamespace(NS).withName(name).get();
        if (st == null || st.getStatus() == null || st.getStatus().getConditions() == null) {
            return null;
        }
        return st.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .orElse(null);
    }

    private static String document(String name, String specLines) {
        String target = name.equals("h-missing-secret") ? "connectionSecretRef: {name: nowhere}" : "cluster: {name: pg}";
        return "apiVersion: pgtrickle.io/v1alpha1\nkind: StreamTable\nmetadata:\n  name: " + name + "\nspec:\n"
                + "  target: {" + target + "}\n  schedule: 1h\n  " + specLines + "\n";
    }

    @Test
    void badStreamTablesTheApiServerAcceptsEndNotReadyWithAReasonAndExecuteNothing() throws Exception {
        List<String> before = state();
        int sentinelPid = pid();
        StringBuilder all = new StringBuilder();
        for (Bad b : REFUSED_BY_THE_OPERATOR) {
            all.append(all.length() == 0 ? "" : "---\n").append(document(b.name(), b.spec()));
        }
        Path f = Files.writeString(Files.createTempFile("hostile", ".yaml"), all.toString());
        k8s.kubectl("apply", "-n", NS, "-f", f.toString()).assertOk();
        List<String> problems = new ArrayList<>();
        for (Bad b : REFUSED_BY_THE_OPERATOR) {
            Condition c = Eventually.await(WAIT, "Ready=False on " + b.name(), () -> ready(b.name()),
                    r -> r != null && r.getStatus().equals("False"));
            if (!c.getReason().matches(b.reason())) {
                problems.add(b.name() + ": reason " + c.getReason() + ", expected " + b.reason());
            }
            if (!Pattern.compile(b.message(), Pattern.CASE_INSENSITIVE).matcher(c.getMessage()).find()
                    || !c.getMessage().contains("hint")) {
                problems.add(b.name() + ": message without /" + b.message() + "/ or a hint: " + c.getMessage());
            }
            System.out.println("HostileE2E " + b.name() + ": Ready=False " + c.getReason() + ": " + c.getMessage());
            if (c.getMessage().contains(TEST_PASSWORD)) {
                problems.add(b.name() + ": the status shows the Secret's password");
            }
        }
        for (Bad b : REFUSED_BY_THE_OPERATOR) {
            Eventually.await(WAIT, "a Warning event for " + b.name(), () -> client.v1().events().inNamespace(NS)
                    .list().getItems().stream().filter(e -> e.getInvolvedObject().getName().equals(b.name())
                            && e.getType().equals("Warning")).toList(), evs -> !evs.isEmpty());
        }
        assertEquals(sentinelPid, pid(), "the sentinel session survived");
        assertEquals(before, state(), "nothing executed, nothing installed");
        try (Connection c = app.connect()) {
            if (Rows.count(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgtrickle'") > 0) {
                assertEquals(0, Rows.count(c, "SELECT count(*) FROM pgtrickle.stream_tables"), "no catalog row");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        k8s.kubectl("delete", "-n", NS, "-f", f.toString(), "--wait=false").assertOk();
        for (Bad b : REFUSED_BY_THE_OPERATOR) {
            if (!b.name().equals(STUCK)) {
                k8s.kubectl("wait", "-n", NS, "--for=delete", "streamtable/" + b.name(), "--timeout=60s").assertOk();
            }
        }
        deletionOfAStreamTableWhoseDatabaseIsMissingIsStillBlocked();
    }

    /** The stream table of a database that does not exist: its cleanup cannot connect, so it retries forever. */
    private static final String STUCK = "h-missing-database";

    /**
     * Known gap: deleting a StreamTable whose database does not exist waits for ever, its finalizer's cleanup
     * failing to connect ("cleanup failed, retrying"). Asserted to still hold so that a fix demands this
     * method's removal; the finalizer is then removed by hand.
     */
    private static void deletionOfAStreamTableWhoseDatabaseIsMissingIsStillBlocked() {
        KubeCluster.Result wait = k8s.kubectl("wait", "-n", NS, "--for=delete", "streamtable/" + STUCK,
                "--timeout=15s");
        System.out.println("KNOWN GAP (e2e) " + STUCK + ": deleting it waits for ever while its database does not"
                + " exist: " + wait.stderr().strip());
        k8s.kubectl("patch", "-n", NS, "streamtable/" + STUCK, "--type=merge", "-p",
                "{\"metadata\":{\"finalizers\":null}}");
        assertTrue(wait.exitCode() != 0, STUCK + " is deleted now: remove the known gap from HostileE2E");
    }

    @Test
    void badStreamTablesTheCrdRefusesAreRefusedByKubectlCreatingNothing() throws Exception {
        List<String> before = state();
        Map<String, String> refused = Map.of(
                "h-pg-class", "table: pg_catalog.pg_class\n  query: SELECT 1 AS one",
                "h-quote-table", "table: \"a\\\"; DROP TABLE orders; --\"\n  query: SELECT 1 AS one",
                "h-long-table", "table: " + "t".repeat(64) + "\n  query: SELECT 1 AS one",
                "h-huge-query", "query: \"SELECT 1 AS x WHERE '" + "a".repeat(1 << 20) + "' <> ''\"",
                "h-empty-query", "query: \"  \"",
                "h-empty-schedule", "query: SELECT 1 AS one\n  schedule: \"\"");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            Path f = Files.writeString(Files.createTempFile("refused", ".yaml"),
                    document(e.getKey(), e.getValue()).replace("  schedule: 1h\n", e.getValue().contains("schedule")
                            ? "" : "  schedule: 1h\n"));
            // create, not apply: a 1 MB spec would also overflow apply's last-applied-configuration annotation
            KubeCluster.Result r = k8s.kubectl("create", "-n", NS, "-f", f.toString());
            String first = r.stderr().strip().lines().findFirst().orElse("");
            System.out.println("HostileE2E " + e.getKey() + ": kubectl: " + first.substring(0, Math.min(300,
                    first.length())));
            assertTrue(r.exitCode() != 0 && r.stderr().contains("spec."), e.getKey() + ": " + r.stderr());
            assertEquals(null, client.resources(StreamTable.class).inNamespace(NS).withName(e.getKey()).get());
        }
        assertEquals(before, state());
    }

    private static int pid() throws Exception {
        try (Statement s = sentinel.createStatement(); var rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
