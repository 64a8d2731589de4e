package io.pgtrickle.operator.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the operator pod: connects with the in-cluster (or kubeconfig) credentials and
 * runs until terminated. {@code PGTRICKLE_MAX_CONCURRENT_REFRESHES} bounds parallel refreshes;
 * {@code PGTRICKLE_WATCH_NAMESPACES} (comma-separated) limits the namespaces watched.
 */
public final class OperatorMain {
    private OperatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int parallel = Integer.parseInt(System.getenv().getOrDefault("PGTRICKLE_MAX_CONCURRENT_REFRESHES", "4"));
        KubernetesClient client = new KubernetesClientBuilder().build();
        Set<String> namespaces = new TreeSet<>();
        for (String ns : System.getenv().getOrDefault("PGTRICKLE_WATCH_NAMESPACES", "").split(",")) {
            if (!ns.isBlank()) {
                namespaces.add(ns.trim());
            }
        }
        OperatorRuntime runtime = new OperatorRuntime(client, parallel, namespaces).start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            client.close();
            done.countDown();
        }, "pgtrickle-operator-stop"));
        done.await();
    }
}
