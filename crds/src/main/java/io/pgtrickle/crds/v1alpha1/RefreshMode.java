package io.pgtrickle.crds.v1alpha1;

/**
 * How a stream table is brought up to date. It is an enum (not a free string) so that the API server rejects
 * typos before the operator sees them; the JSON values are the constant names, matching pg_trickle's
 * {@code refresh_mode} values.
 */
public enum RefreshMode {
  /** Let the operator choose: DIFFERENTIAL when the query supports it and the change ratio is low, else FULL. */
  AUTO,
  /** Apply only the changes captured since the last refresh (incremental view maintenance). */
  DIFFERENTIAL,
  /** Recompute the whole query and replace the table contents. */
  FULL,
  /** Maintain the table synchronously, in the same transaction as the change to a source table. */
  IMMEDIATE
}
