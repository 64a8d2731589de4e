package io.pgtrickle.operator.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.pgtrickle.crds.v1alpha1.Conditions;
import io.pgtrickle.crds.v1alpha1.StreamTableStatus;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.verify.ResultComparison;
import io.pgtrickle.operator.verify.Verification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Consistent condition: from a verification's verdict, keeping Ready and every other field, counts not rows. */
class ConsistencyConditionTest {
    private static final StreamTableKey KEY = new StreamTableKey("default", "orders");

    private static Verification.Result result(Verification.Verdict verdict, String message, Instant at, String repair) {
        ResultComparison.Difference d = verdict == Verification.Verdict.DIFFERS
                ? new ResultComparison.Difference(1, 2, List.of("(secret,1)"), List.of("(secret,2)", "(x,3)"), 10)
                : null;
        return new Verification.Result(KEY, verdict, message, d, at, 12.0, repair);
    }

    private static StreamTableStatus ready() {
        StreamTableStatus s = new StreamTableStatus();
        s.setObservedGeneration(4L);
        s.setTable("public.orders");
        s.setConditions(List.of(new ConditionBuilder().withType(Conditions.READY).withStatus("True")
                .withReason(Conditions.REASON_REFRESHED).withMessage("ok").build()));
        return s;
    }

    @Test
    void verdictsBecomeTheConditionAndTheTransitionTimeMovesOnlyWithTheStatus() {
        Instant t1 = Instant.parse("2026-12-01T10:00:00Z");
        StreamTableStatus s1 = ConsistencyCondition.with(ready(), result(Verification.Verdict.CONSISTENT,
                "equals its query (10 rows)", t1, null));
        Condition c1 = ConsistencyCondition.of(s1);
        assertEquals("True", c1.getStatus());
        assertEquals(Conditions.REASON_VERIFIED, c1.getReason());
        assertEquals(t1.toString(), c1.getLastTransitionTime());
        assertEquals(4L, c1.getObservedGeneration());
        assertEquals("public.orders", s1.getTable());
        assertEquals(Conditions.READY, s1.getConditions().get(0).getType(), "Ready is kept, first");

        Instant t2 = t1.plusSeconds(3600);
        Condition c2 = ConsistencyCondition.of(ConsistencyCondition.with(s1, result(Verification.Verdict.CONSISTENT,
                "equals its query (10 rows)", t2, null)));
        assertEquals(t1.toString(), c2.getLastTransitionTime(), "still True: the transition time stays");
        assertTrue(c2.getMessage().startsWith("verified at " + t2), c2.getMessage());

        Condition c3 = ConsistencyCondition.of(ConsistencyCondition.with(s1, result(Verification.Verdict.DIFFERS,
                "1 row(s) of the query missing from the table, 2 row(s) in the table the query does not return",
                t2, "repaired by a FULL refresh")));
        assertEquals("False", c3.getStatus());
        assertEquals(Conditions.REASON_DRIFT, c3.getReason());
        assertEquals(t2.toString(), c3.getLastTransitionTime());
        assertTrue(c3.getMessage().endsWith("; repaired by a FULL refresh"), c3.getMessage());
        assertFalse(c3.getMessage().contains("secret"), "rows never reach the status");

        Condition c4 = ConsistencyCondition.of(ConsistencyCondition.with(s1, result(
                Verification.Verdict.NOT_VERIFIED, "could not verify: canceling statement", t2, null)));
        assertEquals("Unknown", c4.getStatus());
        assertEquals(Conditions.REASON_NOT_VERIFIED, c4.getReason());
    }

    @Test
    void theConditionGoesWithTheVerification() {
        StreamTableStatus verified = ConsistencyCondition.with(ready(), result(Verification.Verdict.CONSISTENT,
                "equals its query (10 rows)", Instant.now(), null));
        assertSame(verified, ConsistencyCondition.keepIf(verified, true));
        StreamTableStatus off = ConsistencyCondition.keepIf(verified, false);
        assertNull(ConsistencyCondition.of(off));
        assertEquals(1, off.getConditions().size());
        assertEquals("public.orders", off.getTable());
        StreamTableStatus plain = ready();
        assertSame(plain, ConsistencyCondition.keepIf(plain, false));
        assertSame(null, ConsistencyCondition.keepIf(null, false));
    }
}
