package io.pgtrickle.operator.refresh;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefreshCostsTest {
    /** 1 % batches at 6 ms (mostly fixed cost), 10 % batches at 20 ms. */
    private static final RefreshCosts MIXED = new RefreshCosts(new long[] {1700, 1700, 1700, 17000, 17000},
            new double[] {6, 6, 7, 20, 21}, 25, 0);

    @Test
    void predictsFromBatchesOfComparableSize() {
        assertEquals(6.0, MIXED.predictDifferential(1700), 1e-9);
        assertEquals(20.5, MIXED.predictDifferential(17000), 1e-9);
        // 12,000 is within a factor of 2 of 17,000 only
        assertEquals(20.5 / 17000 * 12000, MIXED.predictDifferential(12000), 1e-9);
    }

    @Test
    void extrapolatesFromAllBatchesWhenNoneIsComparable() {
        RefreshCosts small = new RefreshCosts(new long[] {1700, 1700, 1700}, new double[] {6, 7, 6}, 25, 0);
        assertEquals(6.0 / 1700 * 17000, small.predictDifferential(17000), 1e-9);
        assertFalse(small.measuredUpTo(17000));
        assertTrue(small.measuredUpTo(3400));
        assertFalse(new RefreshCosts(new long[] {1700, 100, 100}, new double[] {6, 1, 1}, 25, 0).measuredUpTo(3400));
    }

    @Test
    void oneComparableBatchDoesNotEndTheExplorationOfThatSize() {
        RefreshCosts once = new RefreshCosts(new long[] {1700, 1700, 1700, 17000}, new double[] {6, 6, 6, 90}, 25, 0);
        assertFalse(once.measuredUpTo(17000));
        RefreshCosts twice = new RefreshCosts(new long[] {1700, 1700, 1700, 17000, 17000},
                new double[] {6, 6, 6, 90, 20}, 25, 0);
        assertTrue(twice.measuredUpTo(17000));
        assertEquals(55.0, twice.predictDifferential(17000), 1e-9);
    }

    @Test
    void oneOrTwoDifferentialRefreshesTeachNothingYet() {
        assertFalse(new RefreshCosts(new long[] {1700, 1700}, new double[] {60, 6}, 25, 0).knowsBoth());
        assertFalse(new RefreshCosts(new long[] {1700, 1700, 1700}, new double[] {6, 6, 6}, Double.NaN, 0).knowsBoth());
        assertTrue(MIXED.knowsBoth());
    }
}
