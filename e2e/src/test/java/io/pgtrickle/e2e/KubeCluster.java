package io.pgtrickle.e2e;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-apiserver + etcd for the end-to-end tests, started once per test JVM by Fabric8's
 * kube-api-test from the binaries {@code e2e/k8s/install.sh} built (offline: nothing is
 * downloaded), with {@code kubectl} pointed at it. There is no controller-manager: namespaces never
 * finish deleting and owner-reference garbage collection does not run.
 */
public final class KubeCluster {
    public static final String K8S_VERSION = "1.34.4";
    private static KubeCluster instance;

    private final KubeAPIServer server;
    private final Path kubeconfig;
    private final Path kubectl;
    private final Path helm;
    private final KubernetesClient client;

    private KubeCluster() throws IOException {
        Path cache = Path.of(System.getProperty("k8s.dir",
                System.getProperty("user.home") + "/.cache/pgtrickle/k8s"));
        Path binaries = cache.resolve("k8s").resolve(K8S_VERSION + "-linux-amd64");
        if (!Files.isExecutable(binaries.resolve("kube-apiserver"))) {
            throw new IllegalStateException("kube-apiserver not found in " + binaries
                    + "; run e2e/k8s/install.sh (./run-tests.sh does) first");
        }
        // A per-run test dir: kube-api-test writes its certificates there (valid one year), so the
        // long-lived cache holds binaries only.
        Path testDir = Path.of("target", "kube-api-test").toAbsolutePath();
        Files.createDirectories(testDir);
        Path link = testDir.resolve("k8s");
        if (!Files.exists(link)) {
            Files.createSymbolicLink(link, cache.resolve("k8s"));
        }
        server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(testDir.toString())
                .withApiServerVersion(K8S_VERSION)
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withStartupTimeout(120_000)
                .withApiServerFlag("--bind-address", "127.0.0.1")
                .build());
        server.start();
        kubeconfig = testDir.resolve("kubeconfig.yaml");
        Files.writeString(kubeconfig, server.getKubeConfigYaml());
        Path bin = Path.of(System.getProperty("k8s.bin", cache.getParent().resolve("bin").toString()));
        kubectl = bin.resolve("kubectl");
        helm = bin.resolve("helm");
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            client.close();
            server.stop();
        }, "kube-api-test-stop"));
    }

    public static synchronized KubeCluster get() {
        if (instance == null) {
            try {
                instance = new KubeCluster();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    public KubernetesClient client() {
        return client;
    }

    /** Repository root, where {@code crds/} and {@code examples/} live. */
    public static Path repoRoot() {
        return Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    }

    /** Output of a finished command. */
    public record Result(int exitCode, String stdout, String stderr) {
        public Result assertOk() {
            if (exitCode != 0) {
                throw new AssertionError("command failed (" + exitCode + "): " + stderr + stdout);
            }
            return this;
        }
    }

    /** Runs the real kubectl against this API server. */
    public Result kubectl(String... args) {
        return run(kubectl, args);
    }

    public Result helm(String... args) {
        return run(helm, args);
    }

    private Result run(Path binary, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.add("--kubeconfig");
        cmd.add(kubeconfig.toString());
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("cmd", ".out");
            Path err = Files.createTempFile("cmd", ".err");
            Process p = new ProcessBuilder(cmd).directory(repoRoot().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(Duration.ofMinutes(2).toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
