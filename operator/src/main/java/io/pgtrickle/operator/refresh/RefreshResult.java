package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.lifecycle.StreamTableKey;

import java.time.Instant;

/** Outcome of one successful refresh, as reported on status and in the CLI. */
public record RefreshResult(StreamTableKey key, Instant startedAt, double durationMs, long rows, String mode) {
}
