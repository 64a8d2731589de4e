package io.pgtrickle.operator.hostile;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hostile cases the product does not yet refuse cleanly, by case id, with what happens instead of a clean
 * refusal (the expectation is always the same: a clear error naming the stream table, with a hint; nothing executed;
 * nothing left behind). The suites run these too and assert that they still fail: fixing one makes its suite fail
 * until its id is removed here. One id may have several reasons.
 */
final class KnownGaps {
    private KnownGaps() {
    }

    private static final String[] NOT_SEEN_BY_THE_CHECK = {
        "view-calling-writing-function", "domain-check-calling-writing-function", "aggregate-with-writing-step",
        "row-security-policy-calling-writing-function", "stable-function-advancing-a-sequence",
        "immutable-function-terminating-sessions"};

    private static final String FRESH = "in a database pg-trickle was never installed in, a refused apply leaves the"
            + " pgtrickle schema, its catalog tables and pgtrickle.guard_storage() behind (the catalog is created and"
            + " committed before the query and spec.table are checked)";

    /** Both paths: what the service does, which the CLI shows. */
    private static void shared(Gaps g) {
        g.add("a VOLATILE function the query reaches indirectly (through a view, a domain's CHECK, a user aggregate's"
                + " transition function, a row-level security policy) or one declared STABLE or IMMUTABLE although it"
                + " acts is not refused: the apply succeeds, and the load (an IMMUTABLE one: the check's own planning)"
                + " runs it: rows written to hostile_audit, hostile_seq advanced, the sentinel session terminated",
                NOT_SEEN_BY_THE_CHECK);
        g.add("a TableConflict refusal comes after change capture on the query's sources was reinstalled and"
                + " committed: the capture triggers on orders, installed ENABLE ALWAYS by its owner, are left ENABLE"
                + " (origin only) by the refused apply of a role that does not own orders",
                "conflict-refused-after-capture");
        g.add("spec.schedule 9999999999999999d (which the CRD's pattern accepts) throws ArithmeticException 'long"
                + " overflow', not reported as InvalidSpec; the CLI prints 'pgtrickle: long overflow'",
                "schedule-overflowing-days");
        g.add("RefreshPolicy statementTimeout: 0s (which the CRD's pattern accepts) is refused with 'schedule interval"
                + " must be positive', naming neither statementTimeout nor the policy", "statement-timeout-zero");
        g.add("RefreshPolicy lockTimeout: 9999999999999999d throws ArithmeticException 'long overflow' (the CLI prints"
                + " 'pgtrickle: long overflow')", "lock-timeout-overflowing");
        g.add(FRESH, "fresh-database-delete");
    }

    /** Cases the operator's service does not yet refuse cleanly. */
    static final Map<String, String> SERVICE = build(true);

    /** Cases the CLI does not yet refuse cleanly. */
    static final Map<String, String> CLI = build(false);

    private static Map<String, String> build(boolean service) {
        Gaps g = new Gaps();
        shared(g);
        if (service) {
            g.add(FRESH, "fresh-database-system-table"); // the CLI refuses this spec.table before connecting
            return g.map();
        }
        g.add("refusals found in the spec after the files were read (spec.schedule by StreamTableDefinition.of, a"
                + " RefreshPolicy that is missing or whose timeout is refused) and refresh of a name that is not"
                + " installed print no 'hint:' line (some carry advice inside the message)",
                "schedule-zero", "schedule-minute-99", "schedule-20-digits", "statement-timeout-zero",
                "missing-refresh-policy", "refresh-quote-injection", "refresh-300-chars", "refresh-path-traversal");
        g.add("the CLI prints these without the stream table's name and without a hint ('pgtrickle: …')",
                "schedule-overflowing-days", "lock-timeout-overflowing");
        g.add("a database that is not there: 'pgtrickle: database error: FATAL: database \"hostile_no_such_db\" does not"
                + " exist' from explain (apply names the stream table), 'pgtrickle: database error: Connection to"
                + " 127.0.0.1:1 refused. …' from apply and explain: neither names the stream table nor gives a hint",
                "missing-database", "unreachable-database");
        return g.map();
    }

    /** Reasons by id, several reasons for one id joined. */
    private static final class Gaps {
        private final Map<String, String> byId = new LinkedHashMap<>();

        void add(String reason, String... ids) {
            for (String id : ids) {
                byId.merge(id, reason, (a, b) -> a + "; and " + b);
            }
        }

        Map<String, String> map() {
            return Collections.unmodifiableMap(byId);
        }
    }
}
