/**
 * The {@code pgtrickle.io/v1alpha1} custom resources, {@link io.pgtrickle.crds.v1alpha1.StreamTable} and
 * {@link io.pgtrickle.crds.v1alpha1.RefreshPolicy}, as plain Jackson beans. They are the single source of
 * truth for the API: the CRD YAML under {@code crds/} is generated from these classes at build time by the
 * Fabric8 CRD generator (a unit test fails when the committed copy is stale), so validation, defaults and
 * {@code kubectl explain} text live here, next to the fields they describe.
 */
package io.pgtrickle.crds.v1alpha1;
