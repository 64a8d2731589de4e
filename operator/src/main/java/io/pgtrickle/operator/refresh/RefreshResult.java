package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.lifecycle.StreamTableKey;

import java.time.Instant;

/**
 * Outcome of one successful refresh, as reported on status and in the CLI.
 *
 * @param rows   storage rows written (FULL) or inserted/updated/deleted (DIFFERENTIAL)
 * @param mode   FULL or DIFFERENTIAL, as it actually ran
 * @param reason why a DIFFERENTIAL stream table ran FULL this time (null otherwise)
 */
public record RefreshResult(StreamTableKey key, Instant startedAt, double durationMs, long rows, String mode,
                            String reason) {
    public RefreshResult(StreamTableKey key, Instant startedAt, double durationMs, long rows, String mode) {
        this(key, startedAt, durationMs, rows, mode, null);
    }
}
