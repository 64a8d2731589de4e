package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.crds.v1alpha1.StreamTableSpec;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.schedule.Schedule;

/**
 * A stream table as the runtime needs it, whichever source it came from (a Kubernetes resource or
 * a YAML file given to the CLI). Defaults are applied here once, so every code path sees the same
 * values.
 *
 * @param key         namespace and name
 * @param uid         owning resource's UID; the CLI uses {@code standalone:<namespace>/<name>}
 * @param generation  {@code metadata.generation}, or null outside Kubernetes
 */
public record StreamTableDefinition(
        StreamTableKey key,
        String uid,
        QualifiedName table,
        String query,
        RefreshMode refreshMode,
        String schedule,
        boolean suspend,
        ReclaimPolicy reclaimPolicy,
        Long generation,
        RefreshTuning tuning) {

    public static final String DEFAULT_SCHEDULE = "1m";

    /** A definition with the default refresh tuning. */
    public StreamTableDefinition(StreamTableKey key, String uid, QualifiedName table, String query,
                                 RefreshMode refreshMode, String schedule, boolean suspend,
                                 ReclaimPolicy reclaimPolicy, Long generation) {
        this(key, uid, table, query, refreshMode, schedule, suspend, reclaimPolicy, generation, RefreshTuning.DEFAULTS);
    }

    /** The same definition tuned by {@code tuning} (from the referenced RefreshPolicy). */
    public StreamTableDefinition withTuning(RefreshTuning t) {
        return new StreamTableDefinition(key, uid, table, query, refreshMode, schedule, suspend, reclaimPolicy,
                generation, t);
    }

    /**
     * Builds the definition of {@code st}.
     *
     * @throws IllegalArgumentException when the spec is unusable, with a message naming the field
     */
    public static StreamTableDefinition of(StreamTable st, String defaultNamespace) {
        String name = st.getMetadata() == null ? null : st.getMetadata().getName();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("metadata.name is required");
        }
        String ns = st.getMetadata().getNamespace();
        if (ns == null || ns.isBlank()) {
            ns = defaultNamespace;
        }
        StreamTableSpec spec = st.getSpec();
        if (spec == null) {
            throw new IllegalArgumentException("spec is required");
        }
        QualifiedName table;
        try {
            table = QualifiedName.parse(spec.getTable() == null || spec.getTable().isBlank()
                    ? defaultTableName(name) : spec.getTable());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.table: " + e.getMessage(), e);
        }
        if (table.schema().equals("pgtrickle") || table.schema().equals("pgtrickle_changes")) {
            throw new IllegalArgumentException("spec.table: schema " + table.schema() + " is reserved for pg-trickle");
        }
        String uid = st.getMetadata().getUid();
        if (uid == null || uid.isBlank()) {
            uid = "standalone:" + ns + "/" + name;
        }
        RefreshMode mode = spec.getRefreshMode() == null ? RefreshMode.AUTO : spec.getRefreshMode();
        ReclaimPolicy reclaim = spec.getReclaimPolicy() == null ? ReclaimPolicy.Delete : spec.getReclaimPolicy();
        String schedule = spec.getSchedule() == null || spec.getSchedule().isBlank()
                ? DEFAULT_SCHEDULE : spec.getSchedule().trim();
        try {
            Schedule.parse(schedule);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.schedule: " + e.getMessage(), e);
        }
        if (spec.getQuery() == null || spec.getQuery().isBlank()) {
            throw new IllegalArgumentException("spec.query is required: write the SELECT whose result the stream"
                    + " table keeps");
        }
        return new StreamTableDefinition(new StreamTableKey(ns, name), uid, table, spec.getQuery(), mode, schedule,
                Boolean.TRUE.equals(spec.getSuspend()), reclaim, st.getMetadata().getGeneration());
    }

    /** metadata.name may contain '-' and '.', which are awkward in SQL: map them to '_'. */
    static String defaultTableName(String name) {
        return name.replace('-', '_').replace('.', '_');
    }
}
