package io.pgtrickle.dvm.delta;

import java.util.List;

/**
 * A query topped by an aggregate: storage layout, initial load, and the CTE holding each
 * affected group's new row with {@code __pgt_keep} (false: delete the group's row).
 *
 * @param userColumns   user columns, in order
 * @param hiddenColumns state columns after {@code __pgt_row_id}: {@code __pgt_count}, then each
 *                      aggregate's
 * @param storageSelect SELECT of the storage rows from the current sources
 * @param applyCte      name of the CTE feeding the MERGE
 */
public record AggregateDeltaResult(List<String> userColumns, List<String> hiddenColumns,
    String storageSelect, String applyCte) {}
