/**
 * The API server's validation of the pg-trickle custom resources, in Java, for the paths that never reach an API
 * server (the standalone CLI). {@link io.pgtrickle.crds.validation.CrdValidator} derives its checks from the same
 * classes and annotations that the CRD YAML is generated from, so there is one source of rules for
 * {@code kubectl apply} and {@code pgtrickle apply}.
 */
package io.pgtrickle.crds.validation;
