package io.pgtrickle.operator.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.crds.v1alpha1.StreamTableSpec;
import io.pgtrickle.crds.v1alpha1.Target;
import io.pgtrickle.operator.db.JdbcDatabase;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Finds the database a StreamTable targets and its credentials: a CloudNativePG cluster {@code pg}
 * means Secret {@code pg-app} (keys username, password, dbname, host, port) and service
 * {@code pg-rw}; {@code connectionSecretRef} names a Secret with the same keys. Only Secrets in the
 * resource's own namespace are read. Passwords stay inside the returned {@link JdbcDatabase}.
 */
public final class TargetResolver {
    private final KubernetesClient client;

    public TargetResolver(KubernetesClient client) {
        this.client = client;
    }

    /** The resolved target; {@code description} is safe to show (no credentials). */
    public record ResolvedTarget(JdbcDatabase database, String description) {
    }

    /** The target cannot be resolved; the message names what is missing. Reason TargetNotFound. */
    public static final class TargetException extends RuntimeException {
        public TargetException(String message) {
            super(message);
        }
    }

    public ResolvedTarget resolve(StreamTable st) {
        StreamTableSpec spec = st.getSpec();
        Target target = spec.getTarget();
        String ns = st.getMetadata().getNamespace();
        if (target == null || (target.getCluster() == null && target.getConnectionSecretRef() == null)) {
            throw new TargetException("spec.target is required: set target.cluster.name (a CloudNativePG cluster) or"
                    + " target.connectionSecretRef.name");
        }
        String secretName;
        String defaultHost;
        if (target.getCluster() != null) {
            String cluster = target.getCluster().getName();
            secretName = cluster + "-app";
            defaultHost = cluster + "-rw." + ns + ".svc";
        } else {
            secretName = target.getConnectionSecretRef().getName();
            defaultHost = null;
        }
        Secret secret = client.secrets().inNamespace(ns).withName(secretName).get();
        if (secret == null) {
            throw new TargetException("Secret " + secretName + " not found in namespace " + ns
                    + (target.getCluster() != null ? " (the CloudNativePG cluster " + target.getCluster().getName()
                    + " creates it; does the cluster exist?)" : ""));
        }
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        Map<String, String> plain = secret.getStringData() == null ? Map.of() : secret.getStringData();
        String user = value(data, plain, "username");
        String password = value(data, plain, "password");
        String host = value(data, plain, "host");
        String port = value(data, plain, "port");
        String dbname = spec.getDatabase() != null && !spec.getDatabase().isBlank() ? spec.getDatabase()
                : value(data, plain, "dbname");
        if (host == null) {
            host = defaultHost;
        }
        StringBuilder missing = new StringBuilder();
        if (user == null) {
            missing.append(" username");
        }
        if (host == null) {
            missing.append(" host");
        }
        if (dbname == null) {
            missing.append(" dbname (or set spec.database)");
        }
        if (missing.length() > 0) {
            throw new TargetException("Secret " + secretName + " lacks key(s):" + missing);
        }
        int portNumber;
        try {
            portNumber = port == null ? 5432 : Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            throw new TargetException("Secret " + secretName + " has a port that is not a number");
        }
        return new ResolvedTarget(JdbcDatabase.of(host, portNumber, dbname, user, password),
                "database " + dbname + " on " + host + ":" + portNumber + " (Secret " + secretName + ")");
    }

    private static String value(Map<String, String> data, Map<String, String> plain, String key) {
        if (plain.containsKey(key)) {
            return plain.get(key);
        }
        String b64 = data.get(key);
        return b64 == null ? null : new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }
}
