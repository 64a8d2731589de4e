package io.pgtrickle.e2e;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Helm chart against the real API server with the real helm and kubectl: it installs, and the
 * RBAC it grants is what the operator needs and no more (checked by the API server's own RBAC
 * authorizer with {@code kubectl auth can-i}). No kubelet runs, so the pod itself never starts.
 */
class HelmChartE2E {
    private static final String CHART = "charts/pgtrickle-operator";
    private static final String SA = "system:serviceaccount:pgtrickle-system:pgtrickle-operator";
    private static KubeCluster k8s;

    @BeforeAll
    static void install() {
        k8s = KubeCluster.get();
        k8s.helm("lint", CHART).assertOk();
        k8s.helm("install", "pgt", CHART, "--namespace", "pgtrickle-system", "--create-namespace").assertOk();
    }

    private static String canI(String verb, String resource, String ns) {
        return k8s.kubectl("auth", "can-i", verb, resource, "--as=" + SA, "-n", ns).stdout().strip();
    }

    @Test
    void chartInstallsTheOperatorDeploymentAndCrds() {
        KubeCluster.Result d = k8s.kubectl("get", "deployment", "pgtrickle-operator", "-n", "pgtrickle-system",
                "-o", "jsonpath={.spec.template.spec.serviceAccountName}").assertOk();
        assertEquals("pgtrickle-operator", d.stdout());
        k8s.kubectl("get", "crd", "streamtables.pgtrickle.io").assertOk();
    }

    @Test
    void operatorMayManageStreamTablesAndReadSecretsButNotChangeThem() {
        assertEquals("yes", canI("watch", "streamtables.pgtrickle.io", "any-ns"));
        assertEquals("yes", canI("patch", "streamtables.pgtrickle.io/status", "any-ns"));
        assertEquals("yes", canI("update", "streamtables.pgtrickle.io/finalizers", "any-ns"));
        assertEquals("yes", canI("get", "secrets", "any-ns"));
        assertEquals("no", canI("list", "secrets", "any-ns"));
        assertEquals("no", canI("delete", "secrets", "any-ns"));
        assertEquals("no", canI("create", "streamtables.pgtrickle.io", "any-ns"));
        assertEquals("no", canI("delete", "pods", "any-ns"));
    }

    @Test
    void watchNamespacesGivesNamespacedRolesOnly() {
        KubeCluster.Result t = k8s.helm("template", "pgt", CHART, "--namespace", "ops",
                "--set", "watchNamespaces={team-a,team-b}").assertOk();
        assertTrue(!t.stdout().contains("kind: ClusterRole"), t.stdout());
        assertEquals(2, t.stdout().lines().filter(l -> l.equals("kind: RoleBinding")).count());
        assertTrue(t.stdout().contains("value: \"team-a,team-b\""), t.stdout());
    }

    @Test
    void chartCrdsAreTheGeneratedOnes() throws Exception {
        Path root = KubeCluster.repoRoot();
        for (String f : new String[] {"streamtables.pgtrickle.io-v1.yml", "refreshpolicies.pgtrickle.io-v1.yml"}) {
            assertEquals(Files.readString(root.resolve("crds").resolve(f)),
                    Files.readString(root.resolve(CHART).resolve("crds").resolve(f)),
                    f + " in the chart is stale: cp crds/*.yml " + CHART + "/crds/");
        }
    }
}
