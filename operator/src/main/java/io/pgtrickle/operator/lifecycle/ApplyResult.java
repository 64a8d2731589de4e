package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.operator.catalog.StreamTableRecord;

/**
 * What {@code apply} did: whether the storage was (re)built and loaded, and the resulting catalog row.
 *
 * @param rebuilt true when the storage table was created or recreated and loaded
 */
public record ApplyResult(StreamTableRecord record, boolean rebuilt) {
}
