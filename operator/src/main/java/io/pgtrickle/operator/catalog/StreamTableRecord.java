package io.pgtrickle.operator.catalog;

import java.time.Instant;

/**
 * One row of {@code pgtrickle.stream_tables}: what is installed for a stream table and how its
 * last refresh went. Read by status reporting in the operator and the CLI alike.
 *
 * @param lastRefreshReason why the last refresh of a DIFFERENTIAL stream table ran FULL (null otherwise)
 * @param readSql the SELECT that returns exactly the query's result from the storage table (user
 *                columns only; rows of keyless sources repeated by their multiplicity)
 */
public record StreamTableRecord(
        String namespace,
        String name,
        String resourceUid,
        String storageSchema,
        String storageTable,
        String query,
        String refreshMode,
        String effectiveMode,
        String modeReason,
        String schedule,
        boolean suspended,
        Long generation,
        Instant lastRefreshAt,
        Double lastRefreshMs,
        Long lastRefreshRows,
        String lastRefreshMode,
        String lastRefreshReason,
        int consecutiveErrors,
        String lastError,
        String lastErrorHint,
        Instant lastErrorAt,
        String readSql) {

    public String qualifiedTable() {
        return storageSchema + "." + storageTable;
    }

    /** Healthy: loaded at least once and the last attempt succeeded. */
    public boolean ready() {
        return lastRefreshAt != null && consecutiveErrors == 0;
    }
}
