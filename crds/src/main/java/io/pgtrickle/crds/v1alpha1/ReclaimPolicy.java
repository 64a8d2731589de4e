package io.pgtrickle.crds.v1alpha1;

/**
 * What happens to the PostgreSQL storage table when its StreamTable is deleted. The constants are spelt like
 * their JSON values ({@code Delete}, {@code Retain}), following the Kubernetes convention used by
 * {@code persistentVolumeReclaimPolicy}, so no Jackson mapping is needed.
 */
public enum ReclaimPolicy {
  /** Drop the storage table (and pg_trickle's bookkeeping for it) when the StreamTable is deleted. */
  Delete,
  /** Keep the storage table and its data; only stop maintaining it. */
  Retain
}
