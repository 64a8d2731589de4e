package io.pgtrickle.operator.generated;

import io.pgtrickle.operator.generated.DmlGenerator.Batch;
import io.pgtrickle.operator.generated.GenStats.FailedQuery;
import io.pgtrickle.operator.lifecycle.RefreshTuning;
import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property-based differential test: every generated query ({@link QueryGenerator}), applied as a
 * stream table with refresh mode AUTO, equals PostgreSQL's own result of the query, as a multiset,
 * after its initial load and after the refresh that follows every random DML batch
 * ({@link DmlGenerator}). Queries run in groups on a fresh database each (one batch sequence per
 * group). A failing query is shrunk and printed as a ready-to-paste JUnit test.
 *
 * <p>System properties: {@code gen.cases} (query × batch cases, default 400), {@code gen.seed},
 * {@code gen.batches} (per query, default 5), {@code gen.group} (queries per database, default 8),
 * {@code gen.shrink} (failures to shrink, default 2; {@code gen.shrinkMillis} each,
 * default 30 s), {@code gen.minutes} (stop starting groups
 * after this long), {@code gen.skipDuplicates} (a local aid only: do not count the known
 * duplicate-rows failures).
 */
class GeneratedDifferentialIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static final long SEED = Long.getLong("gen.seed", 20260301L);
    static final int CASES = Integer.getInteger("gen.cases", 400);
    static final int BATCHES = Integer.getInteger("gen.batches", 5);
    static final int GROUP = Integer.getInteger("gen.group", 8);
    static final int SHRINK = Integer.getInteger("gen.shrink", 2);
    static final double MINUTES = Double.parseDouble(System.getProperty("gen.minutes", "0"));
    static final boolean SKIP_DUPLICATES = Boolean.getBoolean("gen.skipDuplicates");
    static final boolean VERBOSE = Boolean.getBoolean("gen.verbose");

    @Test
    void everyGeneratedStreamTableEqualsItsQueryAfterEveryBatch() throws Exception {
        // loaded now: a long run outlives its build's class files (another build may clean them meanwhile)
        List.of(Shrinker.class, Shrinker.Shrunk.class, GenReplay.class, GenReplay.Failure.class).forEach(Class::getName);
        long start = System.currentTimeMillis();
        GenStats stats = new GenStats();
        QueryGenerator generator = new QueryGenerator(SEED);
        int queries = (CASES + BATCHES - 1) / BATCHES;
        for (int g = 0; stats.queries < queries; g++) {
            if (MINUTES > 0 && System.currentTimeMillis() - start > MINUTES * 60_000) {
                System.out.println("[gen] time limit reached after " + stats.queries + " queries");
                break;
            }
            List<GenQuery> group = new ArrayList<>();
            for (int i = 0; i < Math.min(GROUP, queries - stats.queries); i++) {
                group.add(generator.next());
            }
            runGroup(g, group, new DmlGenerator(SEED * 31 + g).batches(BATCHES), stats);
            if (g % 10 == 9) {
                System.out.println(stats.summary(SEED, System.currentTimeMillis() - start));
            }
        }
        System.out.println(stats.summary(SEED, System.currentTimeMillis() - start));
        stats.textOnlyExamples.forEach((q, d) -> System.out.println("[gen] equal but printed differently: " + d
                + "\n[gen]   query: " + q));
        stats.fullReasons.forEach((r, n) -> System.out.println("[gen] FULL " + n + "×: " + r + "\n[gen]   e.g. "
                + stats.fullExamples.get(r)));
        if (stats.failures.isEmpty()) {
            return;
        }
        StringBuilder report = new StringBuilder();
        for (FailedQuery f : stats.failures) {
            System.out.println("[gen] FAIL " + f.origin(SEED) + ": " + f.failure() + "\n[gen]   query: "
                    + f.query().sql());
        }
        for (FailedQuery f : toShrink(stats)) {
            report.append(shrunk(f)).append('\n');
        }
        fail(stats.summary(SEED, System.currentTimeMillis() - start) + "\n" + report);
    }

    /** The failures worth shrinking: unknown ones first, then one of each known class. */
    private static List<FailedQuery> toShrink(GenStats stats) {
        List<FailedQuery> out = new ArrayList<>(stats.unknown());
        Set<FailureClass> seen = EnumSet.of(FailureClass.UNKNOWN, FailureClass.GENERATOR);
        for (FailedQuery f : stats.failures) {
            if (seen.add(f.failure().cls())) {
                out.add(f);
            }
        }
        return out.subList(0, Math.min(SHRINK, out.size()));
    }

    private static String shrunk(FailedQuery f) throws Exception {
        long t0 = System.currentTimeMillis();
        Shrinker.Shrunk s = Shrinker.shrink(f.query(), f.batches(), f.tuning(), f.failure(), Long.getLong("gen.shrinkMillis", 30_000L), 400);
        String origin = "Shrunk from " + f.origin(SEED) + " (" + f.failure() + ")";
        if (s == null) {
            String msg = "[gen] not reproducible alone (depends on its group): " + origin + "\n  " + f.query().sql();
            System.out.println(msg);
            return msg;
        }
        String name = "shrunk_" + Long.toString(SEED, 36) + "_" + f.group() + "_" + f.index();
        String test = Shrinker.junit(s, name, origin.replace("*/", "* /"));
        System.out.printf("[gen] shrunk in %d replays, %.1f s, to: %s%n%s%n", s.attempts(),
                (System.currentTimeMillis() - t0) / 1000.0, s.failure(), test);
        return test;
    }

    /** Applies the group's queries on a fresh database, then runs the batches, refreshing and checking all. */
    private static void runGroup(int g, List<GenQuery> group, List<Batch> batches, GenStats stats) throws Exception {
        // every third group leaves AUTO its documented defaults: FULL refreshes chosen by cost or ratio
        // interleave with DIFFERENTIAL ones, which then continue from the state a FULL refresh left
        RefreshTuning tuning = g % 3 == 2 ? RefreshTuning.DEFAULTS : GenLab.TUNING;
        // every second group starts from a sparse database without NULL keys: the batches bring the NULLs,
        // duplicates and most rows in after the install (whose own check compares the loaded table)
        List<Batch> prefix = g % 2 == 1 ? List.of(GenSchema.SPARSE) : List.of();
        try (GenLab lab = new GenLab("gen_group", tuning)) {
            for (Batch setup : prefix) {
                lab.run(setup);
            }
            List<GenLab.Installed> upstream = lab.applyUpstreams("", true);
            List<GenLab.Installed> installed = new ArrayList<>();
            List<GenQuery> queries = new ArrayList<>();
            boolean[] failed = new boolean[group.size()];
            for (int i = 0; i < group.size(); i++) {
                GenQuery q = group.get(i);
                stats.queries++;
                String invalid = lab.validate(q.sql());
                GenLab.Check c = null;
                if (invalid != null) {
                    c = new GenLab.Check(GenLab.Kind.INVALID_QUERY, null, invalid, List.of(), List.of());
                } else {
                    Object r = lab.apply("g" + i, q.sql());
                    if (r instanceof GenLab.Installed st) {
                        stats.plan(st.record().effectiveMode(), st.record().modeReason(), q.sql());
                        c = lab.compare(st, st.record().effectiveMode());
                        stats.checked(c, q.sql());
                        installed.add(st);
                        queries.add(q);
                    } else {
                        c = (GenLab.Check) r;
                    }
                }
                if (VERBOSE) {
                    System.out.println("[gen] g" + g + " q" + i + " " + c.kind() + " " + c.mode()
                            + (installed.size() > 0 && c.mode() != null && c.mode().equals("FULL")
                            ? " (" + installed.get(installed.size() - 1).record().modeReason() + ")" : "") + " rows="
                            + c.expected().size() + (FailureClass.hasDuplicates(c.expected()) ? " dups" : "") + ": "
                            + q.sql());
                }
                if (!c.ok()) {
                    failed[i] = true;
                    String mode = c.kind() == GenLab.Kind.APPLY_ERROR || invalid != null ? null : "?";
                    record(stats, g, i, q, prefix, new GenReplay.Failure(prefix.size(), mode, c,
                            FailureClass.of(q.sql(), mode, c)), tuning);
                    if (c.kind() == GenLab.Kind.APPLY_ERROR || invalid != null) {
                        stats.cases += batches.size();
                        stats.failedCases += batches.size();
                    }
                }
            }
            for (int b = 0; b < batches.size(); b++) {
                stats.failedTransactions += lab.run(batches.get(b));
                for (GenLab.Installed u : upstream) {
                    GenLab.Check c = lab.refreshAndCheck(u);
                    if (!c.ok()) {
                        throw new AssertionError("upstream " + u.name() + " differs from its query at group " + g
                                + " batch " + (b + 1) + ": " + c.detail());
                    }
                }
                for (int k = 0; k < installed.size(); k++) {
                    GenLab.Installed st = installed.get(k);
                    int i = Integer.parseInt(st.name().substring(1));
                    GenLab.Check c = lab.refreshAndCheck(st);
                    stats.cases++;
                    stats.checked(c, st.sql());
                    stats.refreshed(c);
                    if (c.ok()) {
                        continue;
                    }
                    String mode = st.record().effectiveMode();
                    FailureClass cls = FailureClass.of(st.sql(), mode, c);
                    if (cls == FailureClass.DUPLICATES && SKIP_DUPLICATES) {
                        stats.skippedDuplicateCases++;
                        continue;
                    }
                    stats.failedCases++;
                    if (!failed[i]) {
                        failed[i] = true;
                        List<Batch> ran = new ArrayList<>(prefix);
                        ran.addAll(batches.subList(0, b + 1));
                        record(stats, g, i, queries.get(k), ran, new GenReplay.Failure(ran.size(), mode, c, cls), tuning);
                    }
                }
            }
        }
    }

    private static void record(GenStats stats, int g, int i, GenQuery q, List<Batch> batches, GenReplay.Failure f,
                               RefreshTuning tuning) {
        if (f.cls() == FailureClass.DUPLICATES && SKIP_DUPLICATES) {
            stats.skippedDuplicateCases++;
            return;
        }
        stats.failed(new FailedQuery(g, i, q, List.copyOf(batches), f, tuning));
    }
}
