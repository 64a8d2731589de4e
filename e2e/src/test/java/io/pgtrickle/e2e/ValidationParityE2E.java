package io.pgtrickle.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.pgtrickle.crds.validation.CrdValidator;
import io.pgtrickle.crds.validation.FieldError;
import io.pgtrickle.operator.cli.StreamTableFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evidence that {@code kubectl apply} and {@code pgtrickle apply -f} agree: each file is sent to the real
 * kube-apiserver (server-side dry run, so its OpenAPI schema and CEL rules judge it) and read by the CLI's
 * StreamTableFiles. A bad file must be refused by both with the same set of errors, word for word; a good one
 * accepted by both. The two deliberate differences, where the CLI is stricter (a duplicate key, which kubectl
 * resolves silently to the last value, and a YAML alias, which the CLI's parser would misread), are checked as
 * such: kubectl accepts them, the CLI refuses them.
 */
class ValidationParityE2E {
    private static final String NS = "validation-parity";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static KubeCluster k8s;

    @TempDir
    static Path dir;

    enum Expect { SAME_ERRORS, BOTH_REFUSE, CLI_ONLY_REFUSES, BOTH_ACCEPT }

    record Case(String name, Expect expect, String yaml) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void start() {
        k8s = KubeCluster.get();
        k8s.kubectl("apply", "-f", "crds/").assertOk();
        for (String crd : List.of("streamtables.pgtrickle.io", "refreshpolicies.pgtrickle.io")) {
            k8s.kubectl("wait", "--for=condition=Established", "crd/" + crd, "--timeout=60s").assertOk();
        }
        k8s.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .serverSideApply();
    }

    static String st(String name, String specLines) {
        return "apiVersion: pgtrickle.io/v1alpha1\nkind: StreamTable\nmetadata:\n  name: " + name + "\nspec:\n"
                + specLines.indent(2);
    }

    static String policy(String specLines) {
        return "apiVersion: pgtrickle.io/v1alpha1\nkind: RefreshPolicy\nmetadata:\n  name: tuned\nspec:\n"
                + specLines.indent(2);
    }

    static List<Case> cases() throws Exception {
        Path repo = KubeCluster.repoRoot();
        String q = "query: SELECT 1 AS one\n";
        return List.of(
                new Case("uppercase name", Expect.SAME_ERRORS, st("Orders", q)),
                new Case("300-character name", Expect.SAME_ERRORS, st("a".repeat(300), q + "table: t\n")),
                new Case("70-character name without table", Expect.SAME_ERRORS, st("n".repeat(70), q)),
                new Case("name starting with a digit without table", Expect.SAME_ERRORS, st("1st-orders", q)),
                new Case("unicode table", Expect.SAME_ERRORS, st("t1", q + "table: ordérs\n")),
                new Case("quoted table", Expect.SAME_ERRORS, st("t2", q + "table: '\"Orders\"'\n")),
                new Case("uppercase table", Expect.SAME_ERRORS, st("t3", q + "table: analytics.Orders\n")),
                new Case("70-character table", Expect.SAME_ERRORS, st("t4", q + "table: " + "t".repeat(70) + "\n")),
                new Case("pg_catalog table", Expect.SAME_ERRORS, st("t5", q + "table: pg_catalog.pg_class\n")),
                new Case("PG_CATALOG table", Expect.SAME_ERRORS, st("t6", q + "table: PG_CATALOG.pg_class\n")),
                new Case("information_schema table", Expect.SAME_ERRORS, st("t7", q + "table: information_schema.t\n")),
                new Case("pg_toast table", Expect.SAME_ERRORS, st("t8", q + "table: pg_toast.t\n")),
                new Case("pgtrickle_changes table", Expect.SAME_ERRORS, st("t9", q + "table: pgtrickle_changes.t\n")),
                new Case("65,537-character query", Expect.SAME_ERRORS,
                        st("q1", "query: SELECT '" + "x".repeat(65_528) + "'\n")),
                new Case("empty query", Expect.SAME_ERRORS, st("q2", "query: ''\n")),
                new Case("blank query", Expect.SAME_ERRORS, st("q3", "query: '   '\n")),
                new Case("no query", Expect.SAME_ERRORS, st("q4", "table: t\n")),
                new Case("no spec", Expect.SAME_ERRORS, "apiVersion: pgtrickle.io/v1alpha1\nkind: StreamTable\n"
                        + "metadata:\n  name: q5\n"),
                new Case("empty schedule", Expect.SAME_ERRORS, st("s1", q + "schedule: ''\n")),
                new Case("schedule in words", Expect.SAME_ERRORS, st("s2", q + "schedule: 5 minutes\n")),
                new Case("numeric schedule", Expect.SAME_ERRORS, st("s3", q + "schedule: 5\n")),
                new Case("unknown refresh mode", Expect.SAME_ERRORS, st("m1", q + "refreshMode: SOMETIMES\n")),
                new Case("unknown fields", Expect.SAME_ERRORS, st("u1", q + "schedul: 5s\nsuspended: true\n")),
                new Case("empty target", Expect.SAME_ERRORS, st("g1", q + "target: {}\n")),
                new Case("uppercase cluster", Expect.SAME_ERRORS, st("g2", q + "target: {cluster: {name: PG}}\n")),
                new Case("several problems at once", Expect.SAME_ERRORS,
                        st("Many", "query: ' '\ntable: pg_toast.t\nschedule: ''\n")),
                new Case("maxBackoff under the default minBackoff", Expect.SAME_ERRORS, policy("maxBackoff: 500ms\n")),
                new Case("policy numbers out of range", Expect.SAME_ERRORS, policy("differentialMaxChangeRatio: 1.5\n"
                        + "maxConcurrentRefreshes: 0\nmaxConsecutiveErrors: -1\nstatementTimeout: 10 minutes\n")),
                new Case("fractional count", Expect.SAME_ERRORS, policy("maxConcurrentRefreshes: 1.5\n")),
                new Case("overlong duration", Expect.SAME_ERRORS, policy("lockTimeout: " + "1".repeat(40) + "s\n")),
                new Case("invalid namespace", Expect.BOTH_REFUSE, st("n1", q).replace("  name: n1\n",
                        "  name: n1\n  namespace: Bad_NS\n")),
                new Case("duplicate key", Expect.CLI_ONLY_REFUSES, st("d1", q + "schedule: 5s\nschedule: 10s\n")),
                new Case("alias", Expect.CLI_ONLY_REFUSES, st("d2", "table: &t a1\nquery: *t\n")),
                new Case("example orders", Expect.BOTH_ACCEPT, Files.readString(repo.resolve("examples/orders.yaml"))),
                new Case("example customers", Expect.BOTH_ACCEPT,
                        Files.readString(repo.resolve("examples/customers.yaml"))),
                new Case("example refresh policy", Expect.BOTH_ACCEPT,
                        Files.readString(repo.resolve("examples/refresh-policy.yaml"))),
                new Case("63-character name", Expect.BOTH_ACCEPT, st("n".repeat(63), q)),
                new Case("253-character name with table", Expect.BOTH_ACCEPT, st("a".repeat(253), q + "table: t\n")),
                new Case("65,536-character query", Expect.BOTH_ACCEPT,
                        st("q6", "query: SELECT '" + "x".repeat(65_527) + "'\n")),
                new Case("table resembling a system one", Expect.BOTH_ACCEPT,
                        st("t10", q + "table: pgtrickle_data.pg_class\n")),
                new Case("cron schedule and every field", Expect.BOTH_ACCEPT, st("all", q + "table: public.all_t\n"
                        + "schedule: '*/5 * * * *'\nrefreshMode: FULL\nsuspend: true\nreclaimPolicy: Retain\n"
                        + "database: app\ntarget: {connectionSecretRef: {name: pg-app}}\n"
                        + "refreshPolicyRef: {name: tuned}\n")),
                new Case("policy with days", Expect.BOTH_ACCEPT, policy("minBackoff: 2d\nmaxBackoff: 1h\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kubectlAndTheCliAgree(Case c) throws Exception {
        Path file = dir.resolve(c.name().replaceAll("[^a-z0-9]+", "-") + ".yaml");
        Files.writeString(file, c.yaml());
        KubeCluster.Result kubectl = k8s.kubectl("apply", "--dry-run=server", "-n", NS, "-f", file.toString());
        switch (c.expect()) {
            case BOTH_ACCEPT -> {
                assertEquals(0, kubectl.exitCode(), "kubectl refused it: " + kubectl.stderr());
                StreamTableFiles.read(file); // throws with the problems if the CLI refuses it
            }
            case SAME_ERRORS -> {
                assertNotEquals(0, kubectl.exitCode(), "kubectl accepted it: " + kubectl.stdout());
                Set<String> fromApiServer = apiServerErrors(kubectl.stderr());
                assertEquals(fromApiServer, javaErrors(file), "kubectl said:\n" + kubectl.stderr());
                IllegalArgumentException cli = assertThrows(IllegalArgumentException.class,
                        () -> StreamTableFiles.read(file));
                for (FieldError e : CrdValidator.forKind(YAML.readTree(file.toFile()).path("kind").asText())
                        .orElseThrow().validate(YAML.readTree(file.toFile()))) {
                    assertTrue(cli.getMessage().contains(e.message()), cli.getMessage());
                }
            }
            case BOTH_REFUSE -> {
                assertNotEquals(0, kubectl.exitCode(), "kubectl accepted it: " + kubectl.stdout());
                assertThrows(IllegalArgumentException.class, () -> StreamTableFiles.read(file));
            }
            case CLI_ONLY_REFUSES -> {
                assertEquals(0, kubectl.exitCode(), "kubectl now refuses it too: " + kubectl.stderr());
                assertThrows(IllegalArgumentException.class, () -> StreamTableFiles.read(file));
            }
        }
    }

    private static Set<String> javaErrors(Path file) throws Exception {
        JsonNode tree = YAML.readTree(file.toFile());
        Set<String> out = new TreeSet<>();
        CrdValidator.forKind(tree.path("kind").asText()).orElseThrow().validate(tree)
                .forEach(e -> out.add(e.toString()));
        return out;
    }

    /**
     * The errors in kubectl's report: {@code The StreamTable "x" is invalid: ERROR} or a {@code * ERROR} line each,
     * or, for unknown fields, {@code strict decoding error: unknown field "a", unknown field "b"}.
     */
    static Set<String> apiServerErrors(String stderr) {
        Set<String> out = new TreeSet<>();
        int strict = stderr.indexOf("strict decoding error: ");
        if (strict >= 0) {
            Matcher m = Pattern.compile("unknown field \"[^\"]*\"").matcher(stderr.substring(strict));
            while (m.find()) {
                out.add(m.group());
            }
            return out;
        }
        int invalid = stderr.indexOf(" is invalid: ");
        assertTrue(invalid >= 0, "not a validation error: " + stderr);
        String rest = stderr.substring(invalid + " is invalid: ".length()).strip();
        if (!rest.startsWith("* ")) {
            out.add(rest);
            return out;
        }
        for (String line : rest.split("\n")) {
            if (line.startsWith("* ")) {
                out.add(line.substring(2).strip());
            }
        }
        return out;
    }
}
