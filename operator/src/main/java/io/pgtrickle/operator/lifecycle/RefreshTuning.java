package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.RefreshPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshPolicySpec;
import io.pgtrickle.crds.v1alpha1.VerificationSpec;
import io.pgtrickle.operator.schedule.Schedule;

import java.time.Duration;

/**
 * The RefreshPolicy knobs an apply and a refresh themselves use, with the documented defaults.
 *
 * @param maxChangeRatio   AUTO recomputes in FULL when a batch exceeds this fraction of the sources' rows
 * @param learnFromHistory predict DIFFERENTIAL and FULL cost from past refreshes instead, when both are known
 * @param statementTimeout longest one statement of an apply or refresh may run (PostgreSQL's statement_timeout)
 * @param lockTimeout      longest an apply or refresh waits for a lock (PostgreSQL's lock_timeout)
 * @param createSchemas    whether an apply may create the schema of spec.table
 * @param verification     scheduled verification ({@link Verifying#OFF} unless the policy sets an interval)
 */
public record RefreshTuning(double maxChangeRatio, boolean learnFromHistory, Duration statementTimeout,
                            Duration lockTimeout, boolean createSchemas, Verifying verification) {
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);
    public static final RefreshTuning DEFAULTS = new RefreshTuning(0.15, true);

    /**
     * The RefreshPolicy's {@code verification}: compare the stream table with its query every {@code interval}
     * (null: never) and, when {@code repair}, recompute it in FULL when it differs.
     */
    public record Verifying(Duration interval, boolean repair) {
        public static final Verifying OFF = new Verifying(null, false);

        public boolean enabled() {
            return interval != null;
        }
    }

    /** Everything but verification, which is off. */
    public RefreshTuning(double maxChangeRatio, boolean learnFromHistory, Duration statementTimeout,
                         Duration lockTimeout, boolean createSchemas) {
        this(maxChangeRatio, learnFromHistory, statementTimeout, lockTimeout, createSchemas, Verifying.OFF);
    }

    /** The AUTO knobs, with the default timeouts. */
    public RefreshTuning(double maxChangeRatio, boolean learnFromHistory) {
        this(maxChangeRatio, learnFromHistory, DEFAULT_STATEMENT_TIMEOUT, DEFAULT_LOCK_TIMEOUT, false);
    }

    /** The AUTO knobs and timeouts; schemas are not created. */
    public RefreshTuning(double maxChangeRatio, boolean learnFromHistory, Duration statementTimeout,
                         Duration lockTimeout) {
        this(maxChangeRatio, learnFromHistory, statementTimeout, lockTimeout, false);
    }

    public static RefreshTuning of(RefreshPolicy policy) {
        RefreshPolicySpec spec = policy == null ? null : policy.getSpec();
        if (spec == null) {
            return DEFAULTS;
        }
        return new RefreshTuning(
                spec.getDifferentialMaxChangeRatio() == null ? DEFAULTS.maxChangeRatio() : spec.getDifferentialMaxChangeRatio(),
                spec.getLearnFromHistory() == null ? DEFAULTS.learnFromHistory() : spec.getLearnFromHistory(),
                spec.getStatementTimeout() == null ? DEFAULT_STATEMENT_TIMEOUT : Schedule.duration(spec.getStatementTimeout()),
                spec.getLockTimeout() == null ? DEFAULT_LOCK_TIMEOUT : Schedule.duration(spec.getLockTimeout()),
                Boolean.TRUE.equals(spec.getCreateSchemas()), verifying(spec.getVerification()));
    }

    private static Verifying verifying(VerificationSpec v) {
        if (v == null || v.getInterval() == null || v.getInterval().isBlank()) {
            return Verifying.OFF;
        }
        return new Verifying(Schedule.duration(v.getInterval().trim()), Boolean.TRUE.equals(v.getRepair()));
    }

    /** The SQL that sets both timeouts for the rest of the current transaction. */
    public String transactionSettingsSql() {
        return "SELECT set_config('statement_timeout', '" + statementTimeout.toMillis() + "ms', true),"
                + " set_config('lock_timeout', '" + lockTimeout.toMillis() + "ms', true)";
    }
}
