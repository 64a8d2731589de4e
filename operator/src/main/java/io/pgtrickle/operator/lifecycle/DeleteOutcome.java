package io.pgtrickle.operator.lifecycle;

/** What deleting a stream table removed. */
public enum DeleteOutcome {
    /** Catalog rows and the storage table were dropped. */
    DROPPED,
    /** Catalog rows were removed; the storage table and its data were kept (reclaimPolicy Retain). */
    RETAINED,
    /** Nothing was installed for this resource (it never reconciled, or another resource owns the name). */
    NOTHING_INSTALLED
}
