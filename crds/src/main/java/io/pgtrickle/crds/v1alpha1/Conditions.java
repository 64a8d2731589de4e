package io.pgtrickle.crds.v1alpha1;

/**
 * Condition types and reasons used in the status of the pg-trickle resources. They are part of the API (users
 * and tools match on them, e.g. {@code kubectl wait --for=condition=Ready}), so they are defined once here, next
 * to the resources, and documented in {@code docs/crds.md}.
 */
public final class Conditions {

  /** The resource is fully reconciled and working; the summary condition shown in {@code kubectl get}. */
  public static final String READY = "Ready";

  // Reasons for StreamTable Ready.
  /** Ready=True: the storage table exists and the last refresh succeeded (or IMMEDIATE maintenance is active). */
  public static final String REASON_REFRESHED = "Refreshed";
  /** Ready=Unknown/False: the storage table is being created or is waiting for its first refresh. */
  public static final String REASON_INITIALIZING = "Initializing";
  /** Ready=False: {@code spec.suspend} is true; no refreshes are scheduled. */
  public static final String REASON_SUSPENDED = "Suspended";
  /** Ready=False: the last refresh failed; it is retried with backoff. */
  public static final String REASON_REFRESH_FAILED = "RefreshFailed";
  /** Ready=False: maxConsecutiveErrors refreshes failed in a row; refreshes pause until the spec changes. */
  public static final String REASON_ERROR_LIMIT_REACHED = "ErrorLimitReached";
  /** Ready=False: the spec is valid for the API server but rejected by pg_trickle (e.g. unsupported query). */
  public static final String REASON_INVALID_SPEC = "InvalidSpec";
  /** Ready=False: PostgreSQL rejects the query, or it is not a single read-only SELECT. */
  public static final String REASON_INVALID_QUERY = "InvalidQuery";
  /** Ready=False: the storage table belongs to another stream table or exists without being managed by pg-trickle. */
  public static final String REASON_TABLE_CONFLICT = "TableConflict";
  /** Ready=False: the requested refreshMode is not available in this version. */
  public static final String REASON_UNSUPPORTED_REFRESH_MODE = "UnsupportedRefreshMode";
  /** Ready=False: spec.target is missing, or its cluster or Secret does not exist or lacks keys. */
  public static final String REASON_TARGET_NOT_FOUND = "TargetNotFound";
  /** Ready=False: the database could not be reached or refused the connection. */
  public static final String REASON_CONNECTION_FAILED = "ConnectionFailed";
  /** Ready=False: the apply failed in the database (a timeout, a lock not granted, the query failing on the data). */
  public static final String REASON_APPLY_FAILED = "ApplyFailed";
  /** Ready=False: the RefreshPolicy named by spec.refreshPolicyRef does not exist. */
  public static final String REASON_REFRESH_POLICY_NOT_FOUND = "RefreshPolicyNotFound";
  /** Ready=False: the StreamTable is being deleted and its storage table dropped or released. */
  public static final String REASON_DELETING = "Deleting";

  /**
   * The stream table's last verification ({@code pgtrickle verify}, or RefreshPolicy {@code verification}) found it
   * equal to its query (True), differing (False) or could not tell (Unknown). Absent while verification is off.
   */
  public static final String CONSISTENT = "Consistent";

  // Reasons for StreamTable Consistent.
  /** Consistent=True: the storage table equals the query at the snapshot a refresh would have taken. */
  public static final String REASON_VERIFIED = "Verified";
  /** Consistent=False: the storage table differs from the query; the message counts the rows (and any repair). */
  public static final String REASON_DRIFT = "Drift";
  /** Consistent=Unknown: the verification could not run (suspended with changes, a timeout, an error). */
  public static final String REASON_NOT_VERIFIED = "NotVerified";

  // Reasons for RefreshPolicy Ready.
  /** Ready=True: the policy is valid and in use by the operator. */
  public static final String REASON_ACCEPTED = "Accepted";

  private Conditions() {
  }
}
