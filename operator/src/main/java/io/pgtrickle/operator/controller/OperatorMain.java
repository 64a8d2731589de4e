package io.pgtrickle.operator.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the operator pod: connects with the in-cluster (or kubeconfig) credentials and
 * runs until terminated. {@code PGTRICKLE_MAX_CONCURRENT_REFRESHES} bounds parallel refreshes.
 */
public final class OperatorMain {
    private OperatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int parallel = Integer.parseInt(System.getenv().getOrDefault("PGTRICKLE_MAX_CONCURRENT_REFRESHES", "4"));
        KubernetesClient client = new KubernetesClientBuilder().build();
        OperatorRuntime runtime = new OperatorRuntime(client, parallel).start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            client.close();
            done.countDown();
        }, "pgtrickle-operator-stop"));
        done.await();
    }
}
