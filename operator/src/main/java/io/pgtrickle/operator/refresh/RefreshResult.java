package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.lifecycle.StreamTableKey;

import java.time.Instant;
import java.util.List;

/**
 * Outcome of one successful refresh, as reported on status and in the CLI.
 *
 * @param rows   storage rows written (FULL) or inserted/updated/deleted (DIFFERENTIAL)
 * @param mode   FULL or DIFFERENTIAL, as it actually ran
 * @param reason why a DIFFERENTIAL stream table ran FULL this time (null otherwise)
 * @param consumedSources change buffers this refresh consumed rows of (to clean up afterwards)
 * @param vacuumStorage the storage table (as SQL) when a FULL refresh left enough dead rows in it to vacuum
 *                      it right away, off the refresh path; null otherwise
 */
public record RefreshResult(StreamTableKey key, Instant startedAt, double durationMs, long rows, String mode,
                            String reason, List<Long> consumedSources, String vacuumStorage) {
    public RefreshResult {
        consumedSources = List.copyOf(consumedSources);
    }
}
