package io.pgtrickle.e2e;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.operator.controller.OperatorRuntime;
import io.pgtrickle.operator.db.EmbeddedPostgresServer;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.standalone.Demo;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton end to end: the real kube-apiserver, the real kubectl, the operator running
 * in this JVM, and a real PostgreSQL standing in for a CloudNativePG cluster (Secret {@code pg-app}
 * points at it, as CNPG's would).
 */
class StreamTableE2E {
    private static final String NS = "e2e";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static KubeCluster k8s;
    private static KubernetesClient client;
    private static OperatorRuntime operator;
    private static JdbcDatabase app;

    /**
     * The Secret's password (the embedded server trusts local connections, so it is never checked): marked
     * {@code pgt-secret-} so that run-tests.sh can fail the run if it appears in any output, log, status or event.
     */
    static final String TEST_PASSWORD = "pgt-secret-e2e-3c9d";

    @BeforeAll
    static void start() throws Exception {
        k8s = KubeCluster.get();
        client = k8s.client();
        EmbeddedPostgresServer pg = PostgresExtension.server();
        pg.createDatabase("app");
        app = JdbcDatabase.fromUrl(pg.jdbcUrl("app"));
        Demo.createSampleSchema(app);

        k8s.kubectl("apply", "-f", "crds/").assertOk();
        for (String crd : List.of("streamtables.pgtrickle.io", "refreshpolicies.pgtrickle.io")) {
            k8s.kubectl("wait", "--for=condition=Established", "crd/" + crd, "--timeout=60s").assertOk();
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .serverSideApply();
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("pg-app")
                .endMetadata().withStringData(Map.of("username", "postgres", "password", TEST_PASSWORD,
                        "dbname", "app", "host", "127.0.0.1", "port", Integer.toString(pg.port()))).build())
                .serverSideApply();
        operator = new OperatorRuntime(client, 2).start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        // Every status and event the run left, into the run's output, which run-tests.sh searches for TEST_PASSWORD.
        System.out.println(k8s.kubectl("get", "streamtables,refreshpolicies", "-A", "-o", "yaml").stdout());
        System.out.println(k8s.kubectl("get", "events", "-A", "-o", "yaml").stdout());
    }

    private static StreamTable get(String name) {
        return client.resources(StreamTable.class).inNamespace(NS).withName(name).get();
    }

    private static Condition ready(StreamTable st) {
        if (st == null || st.getStatus() == null || st.getStatus().getConditions() == null) {
            return null;
        }
        return st.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .orElse(null);
    }

    private static List<String> rows(String sql) throws Exception {
        try (Connection c = app.connect()) {
            return Rows.multiset(c, sql);
        }
    }

    private static List<String> storage(String table) throws Exception {
        try (Connection c = app.connect()) {
            return Rows.storage(c, table);
        }
    }

    /** Runs statements on the application database, each in its own transaction. */
    private static void exec(String... sql) throws Exception {
        try (Connection c = app.connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** {@code kubectl apply -f file}, then {@code kubectl wait} for the StreamTable {@code name} to be Ready. */
    private static void applyAndAwaitReady(String file, String name) {
        k8s.kubectl("apply", "-n", NS, "-f", file).assertOk();
        k8s.kubectl("wait", "-n", NS, "--for=condition=Ready", "streamtable/" + name, "--timeout=60s").assertOk();
    }

    private static long count(String sql) throws Exception {
        try (Connection c = app.connect()) {
            return Rows.count(c, sql);
        }
    }

    private static Path yaml(String name, String body) throws Exception {
        Path f = Files.createTempFile(name, ".yaml");
        Files.writeString(f, body);
        return f;
    }

    private static final String ORDER_TOTALS = """
            SELECT customer_id, count(*) AS order_count, sum(amount) AS total_amount
            FROM orders WHERE status <> 'cancelled' GROUP BY customer_id""";

    @Test
    void kubectlApplyThenSourceChangesThenDeleteRoundTrip() throws Exception {
        applyAndAwaitReady("examples/orders.yaml", "order-totals");
        assertEquals(rows(ORDER_TOTALS), storage("analytics.order_totals"));

        KubeCluster.Result table = k8s.kubectl("get", "streamtables", "-n", NS).assertOk();
        String header = table.stdout().lines().findFirst().orElseThrow();
        assertTrue(header.matches("NAME\\s+TABLE\\s+MODE\\s+READY\\s+REASON\\s+LAST REFRESH\\s+AGE\\s*"), header);
        String row = table.stdout().lines().filter(l -> l.startsWith("order-totals")).findFirst().orElseThrow();
        assertTrue(row.matches("order-totals\\s+analytics\\.order_totals\\s+DIFFERENTIAL\\s+True\\s+Refreshed\\s+\\S+\\s+\\S+\\s*"),
                row);

        StreamTable st = get("order-totals");
        assertEquals(st.getMetadata().getGeneration(), st.getStatus().getObservedGeneration());
        String firstRefresh = st.getStatus().getLastRefresh().getTime();
        String transition = ready(st).getLastTransitionTime();

        exec("UPDATE orders SET amount = amount + 100 WHERE customer_id <= 10",
                "DELETE FROM orders WHERE customer_id = 20",
                "INSERT INTO orders (id, customer_id, amount, status) VALUES (900001, 77, 12.5, 'new')");
        Eventually.await(WAIT, "order_totals to match its query after the change",
                () -> storage("analytics.order_totals"), r -> {
                    try {
                        return r.equals(rows(ORDER_TOTALS));
                    } catch (Exception e) {
                        return false;
                    }
                });
        StreamTable later = Eventually.await(WAIT, "status to show a later refresh", () -> get("order-totals"),
                s -> s.getStatus().getLastRefresh() != null
                        && !s.getStatus().getLastRefresh().getTime().equals(firstRefresh));
        assertEquals(transition, ready(later).getLastTransitionTime(), "Ready stayed True: no transition");

        k8s.kubectl("delete", "-n", NS, "streamtable/order-totals", "--timeout=60s").assertOk();
        assertEquals(0, count("SELECT count(*) FROM pg_class WHERE relname = 'order_totals'"));
        assertEquals(0, count("SELECT count(*) FROM pgtrickle.stream_tables WHERE name = 'order-totals'"));
    }

    @Test
    void invalidSqlIsReportedOnTheResource() throws Exception {
        Path f = yaml("bad", """
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: bad-sql
                spec:
                  target: {cluster: {name: pg}}
                  query: SELECT customer_id, no_such_column FROM orders
                """);
        k8s.kubectl("apply", "-n", NS, "-f", f.toString()).assertOk();
        StreamTable st = Eventually.await(WAIT, "Ready=False on bad-sql", () -> get("bad-sql"),
                s -> ready(s) != null && ready(s).getStatus().equals("False"));
        Condition c = ready(st);
        assertEquals("InvalidQuery", c.getReason());
        assertTrue(c.getMessage().contains("no_such_column") && c.getMessage().contains("does not exist"),
                c.getMessage());
        assertEquals(0, count("SELECT count(*) FROM pg_class WHERE relname = 'bad_sql'"), "nothing installed");

        Eventually.await(WAIT, "a Warning event for bad-sql", () -> client.v1().events().inNamespace(NS).list()
                .getItems().stream().filter(e -> e.getInvolvedObject().getName().equals("bad-sql")).toList(),
                evs -> evs.stream().anyMatch(e -> e.getType().equals("Warning") && e.getReason().equals("InvalidQuery")
                        && e.getMessage().contains("no_such_column")));

        KubeCluster.Result table = k8s.kubectl("get", "st", "bad-sql", "-n", NS).assertOk();
        assertTrue(table.stdout().contains("InvalidQuery"), table.stdout());

        k8s.kubectl("delete", "-n", NS, "streamtable/bad-sql", "--timeout=60s").assertOk();
    }

    private static KubeCluster.Result applyInvalid(String specLines) throws Exception {
        Path f = yaml("invalid", """
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: rejected
                spec:
                """ + specLines);
        return k8s.kubectl("apply", "-n", NS, "-f", f.toString());
    }

    @Test
    void apiServerValidatesTheSpecWithTheCrdSchema() throws Exception {
        KubeCluster.Result r = applyInvalid("  target: {cluster: {name: pg}}\n  query: SELECT 1 AS one\n  refreshMode: SOMETIMES\n");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("spec.refreshMode") && r.stderr().contains("SOMETIMES"), r.stderr());

        r = applyInvalid("  target: {cluster: {name: pg}}\n  query: SELECT 1 AS one\n  schedule: every now and then\n");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("spec.schedule"), r.stderr());

        r = applyInvalid("  target: {cluster: {name: pg}}\n  query: \"   \"\n");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("spec.query"), r.stderr());

        r = applyInvalid("  query: SELECT 1 AS one\n  target: {cluster: {name: pg}, connectionSecretRef: {name: s}}\n");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("spec.target"), r.stderr());
        assertEquals(null, get("rejected"));
    }

    @Test
    void storageTableIsImmutableAndStatusIsASubresource() throws Exception {
        Path f = yaml("imm", """
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: paid-orders
                spec:
                  target: {cluster: {name: pg}}
                  table: reports.paid_orders
                  query: SELECT id, amount FROM orders WHERE status = 'paid'
                  schedule: 1h
                """);
        exec("CREATE SCHEMA IF NOT EXISTS reports"); // apply refuses a schema that does not exist
        // Server-side apply, as Argo CD and Flux do.
        k8s.kubectl("apply", "--server-side", "--field-manager=gitops", "-n", NS, "-f", f.toString()).assertOk();
        k8s.kubectl("wait", "-n", NS, "--for=condition=Ready", "streamtable/paid-orders", "--timeout=60s")
                .assertOk();
        KubeCluster.Result patch = k8s.kubectl("patch", "-n", NS, "streamtable/paid-orders", "--type=merge",
                "-p", "{\"spec\":{\"table\":\"reports.other\"}}");
        assertNotEquals(0, patch.exitCode());
        assertTrue(patch.stderr().contains("immutable"), patch.stderr());

        // Writing status through the main resource is ignored: status belongs to the operator.
        k8s.kubectl("patch", "-n", NS, "streamtable/paid-orders", "--type=merge",
                "-p", "{\"status\":{\"table\":\"hijacked\"}}").assertOk();
        assertEquals("reports.paid_orders", get("paid-orders").getStatus().getTable());

        StreamTable st = get("paid-orders");
        List<String> managers = st.getMetadata().getManagedFields().stream()
                .map(m -> m.getManager() + "/" + (m.getSubresource() == null ? "" : m.getSubresource())).toList();
        assertTrue(managers.contains("gitops/"), managers.toString());
        assertTrue(managers.contains("pgtrickle-operator/status"), managers.toString());
        k8s.kubectl("delete", "-n", NS, "streamtable/paid-orders", "--timeout=60s").assertOk();
        assertEquals(0, count("SELECT count(*) FROM pg_class WHERE relname = 'paid_orders'"));
    }

    @Test
    void retainKeepsTheStorageTableButRemovesTheCatalogEntry() throws Exception {
        applyAndAwaitReady("examples/customers.yaml", "customer-orders");
        long rows = count("SELECT count(*) FROM analytics.customer_orders");
        assertTrue(rows > 0);
        k8s.kubectl("delete", "-n", NS, "streamtable/customer-orders", "--timeout=60s").assertOk();
        assertEquals(rows, count("SELECT count(*) FROM analytics.customer_orders"));
        assertEquals(0, count("SELECT count(*) FROM pgtrickle.stream_tables WHERE name = 'customer-orders'"));
    }

    @Test
    void refreshPolicyAppearingOrChangingReconcilesItsStreamTables() throws Exception {
        Path st = yaml("tuned", """
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: tuned
                spec:
                  target: {cluster: {name: pg}}
                  query: SELECT id, amount FROM orders WHERE amount > 100
                  schedule: 1h
                  refreshPolicyRef: {name: careful}
                """);
        k8s.kubectl("apply", "-n", NS, "-f", st.toString()).assertOk();
        StreamTable waiting = Eventually.await(WAIT, "RefreshPolicyNotFound", () -> get("tuned"),
                s -> ready(s) != null && "RefreshPolicyNotFound".equals(ready(s).getReason()));
        assertTrue(ready(waiting).getMessage().contains("careful"), ready(waiting).getMessage());

        Path policy = yaml("careful", """
                apiVersion: pgtrickle.io/v1alpha1
                kind: RefreshPolicy
                metadata:
                  name: careful
                spec:
                  differentialMaxChangeRatio: 0.5
                """);
        k8s.kubectl("apply", "-n", NS, "-f", policy.toString()).assertOk();
        Eventually.await(WAIT, "tuned Ready once the policy exists", () -> get("tuned"),
                s -> ready(s) != null && "True".equals(ready(s).getStatus()));
        String ratio = "SELECT max_change_ratio FROM pgtrickle.stream_tables WHERE name = 'tuned'";
        assertEquals(List.of("0.5"), rows(ratio));

        k8s.kubectl("patch", "-n", NS, "refreshpolicy/careful", "--type=merge",
                "-p", "{\"spec\":{\"differentialMaxChangeRatio\":0.05}}").assertOk();
        Eventually.await(WAIT, "the new ratio applied", () -> rows(ratio), r -> r.equals(List.of("0.05")));
        k8s.kubectl("delete", "-n", NS, "streamtable/tuned", "--timeout=60s").assertOk();
    }

    private static Condition consistent(StreamTable st) {
        if (st == null || st.getStatus() == null || st.getStatus().getConditions() == null) {
            return null;
        }
        return st.getStatus().getConditions().stream().filter(c -> c.getType().equals("Consistent")).findFirst()
                .orElse(null);
    }

    @Test
    void verificationSetsConsistentReportsADriftAndRepairsIt() throws Exception {
        exec("CREATE TABLE ledger (id int PRIMARY KEY, acct int, amount int)",
                "INSERT INTO ledger SELECT i, i % 4, i FROM generate_series(1, 40) i");
        Path f = yaml("balances", """
                apiVersion: pgtrickle.io/v1alpha1
                kind: RefreshPolicy
                metadata:
                  name: verifying
                spec:
                  verification: {interval: 1s}
                ---
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: balances
                spec:
                  target: {cluster: {name: pg}}
                  query: SELECT acct, sum(amount) AS balance FROM ledger GROUP BY acct
                  schedule: 1s
                  refreshPolicyRef: {name: verifying}
                """);
        applyAndAwaitReady(f.toString(), "balances");
        StreamTable verified = Eventually.await(WAIT, "Consistent=True", () -> get("balances"),
                s -> consistent(s) != null && "True".equals(consistent(s).getStatus()));
        assertEquals("Verified", consistent(verified).getReason());

        // a row changed by hand: the next verification finds it, counts it, and shows no row in the status
        exec("SET pgtrickle.maintaining = on", "UPDATE balances SET balance = -7 WHERE acct = 1");
        StreamTable drift = Eventually.await(WAIT, "Consistent=False", () -> get("balances"),
                s -> consistent(s) != null && "Drift".equals(consistent(s).getReason()));
        assertEquals("False", consistent(drift).getStatus());
        assertTrue(consistent(drift).getMessage().contains("1 row(s) of the query missing from the table, 1 row(s)"
                + " in the table the query does not return"), consistent(drift).getMessage());
        assertFalse(consistent(drift).getMessage().contains("-7"), "no row in the status");
        assertEquals("True", ready(drift).getStatus(), "Ready is about refreshing, which works");
        Eventually.await(WAIT, "a Warning event Drift", () -> client.v1().events().inNamespace(NS).list()
                .getItems().stream().filter(e -> e.getInvolvedObject().getName().equals("balances")).toList(),
                evs -> evs.stream().anyMatch(e -> e.getType().equals("Warning") && e.getReason().equals("Drift")));

        k8s.kubectl("patch", "-n", NS, "refreshpolicy/verifying", "--type=merge",
                "-p", "{\"spec\":{\"verification\":{\"interval\":\"1s\",\"repair\":true}}}").assertOk();
        List<String> expected = rows("SELECT acct, sum(amount) FROM ledger GROUP BY acct");
        Eventually.await(WAIT, "the drift repaired", () -> storage("public.balances"), expected::equals);
        Eventually.await(WAIT, "Consistent=True again", () -> get("balances"),
                s -> consistent(s) != null && "True".equals(consistent(s).getStatus()));
        assertTrue(client.v1().events().inNamespace(NS).list().getItems().stream()
                .anyMatch(e -> e.getInvolvedObject().getName().equals("balances") && e.getReason().equals("Drift")
                        && e.getMessage().contains("repaired by a FULL refresh")), "the repair has an event");
        k8s.kubectl("delete", "-n", NS, "streamtable/balances", "refreshpolicy/verifying", "--timeout=60s")
                .assertOk();
    }

    @Test
    void aFailingRefreshIsReportedAndRecovers() throws Exception {
        exec("CREATE TABLE flaky (id int PRIMARY KEY, v int)",
                "INSERT INTO flaky VALUES (1, 1), (2, 2)");
        Path f = yaml("flaky", """
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: flaky-copy
                spec:
                  target: {cluster: {name: pg}}
                  query: SELECT id, v FROM flaky
                  refreshMode: FULL
                  schedule: 1s
                """);
        applyAndAwaitReady(f.toString(), "flaky-copy");
        // with a change to recompute: a refresh with none only checks (the operator's periodic re-apply would
        // report the query as invalid, minutes later)
        exec("ALTER TABLE flaky RENAME TO flaky_moved", "INSERT INTO flaky_moved VALUES (4, 4)");
        StreamTable failing = Eventually.await(WAIT, "RefreshFailed", () -> get("flaky-copy"),
                s -> ready(s) != null && "RefreshFailed".equals(ready(s).getReason()));
        assertEquals("False", ready(failing).getStatus());
        assertTrue(failing.getStatus().getLastError().getMessage().contains("flaky"),
                failing.getStatus().getLastError().getMessage());
        assertTrue(failing.getStatus().getConsecutiveErrors() >= 1);
        assertEquals(List.of("1|1", "2|2"), storage("public.flaky_copy"), "the last good contents stay");

        exec("ALTER TABLE flaky_moved RENAME TO flaky",
                "INSERT INTO flaky VALUES (3, 3)");
        StreamTable recovered = Eventually.await(WAIT, "Ready again", () -> get("flaky-copy"),
                s -> ready(s) != null && "True".equals(ready(s).getStatus()));
        assertEquals(0, recovered.getStatus().getConsecutiveErrors());
        assertEquals(null, recovered.getStatus().getLastError(), "a success clears lastError");
        assertEquals(List.of("1|1", "2|2", "3|3", "4|4"), storage("public.flaky_copy"));
        k8s.kubectl("delete", "-n", NS, "streamtable/flaky-copy", "--timeout=60s").assertOk();
    }

    @Test
    void suspendingReleasesChangeCaptureAndResumingCatchesUp() throws Exception {
        exec("CREATE TABLE paused (id int PRIMARY KEY, v int)",
                "INSERT INTO paused SELECT g, g FROM generate_series(1, 20) g");
        Path f = yaml("paused", """
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: paused-copy
                spec:
                  target: {cluster: {name: pg}}
                  query: SELECT id, v FROM paused
                  schedule: 1s
                """);
        applyAndAwaitReady(f.toString(), "paused-copy");
        String captureTriggers = "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'paused'::regclass AND NOT tgisinternal";
        assertEquals(4, count(captureTriggers));

        k8s.kubectl("patch", "-n", NS, "streamtable/paused-copy", "--type=merge", "-p", "{\"spec\":{\"suspend\":true}}")
                .assertOk();
        Eventually.await(WAIT, "Suspended", () -> get("paused-copy"),
                s -> ready(s) != null && "Suspended".equals(ready(s).getReason()));
        Eventually.await(WAIT, "capture removed", () -> count(captureTriggers), n -> n == 0);
        exec("UPDATE paused SET v = v * 10 WHERE id <= 5",
                "DELETE FROM paused WHERE id = 20");

        k8s.kubectl("patch", "-n", NS, "streamtable/paused-copy", "--type=merge", "-p", "{\"spec\":{\"suspend\":false}}")
                .assertOk();
        List<String> expected = rows("SELECT id, v FROM paused");
        Eventually.await(WAIT, "caught up", () -> storage("public.paused_copy"), expected::equals);
        assertEquals(4, count(captureTriggers), "capture is back");
        k8s.kubectl("delete", "-n", NS, "streamtable/paused-copy", "--timeout=60s").assertOk();
    }

    @Test
    void crdsAreEstablished() {
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
                .withName("streamtables.pgtrickle.io").get();
        assertEquals("pgtrickle.io", crd.getSpec().getGroup());
    }
}
