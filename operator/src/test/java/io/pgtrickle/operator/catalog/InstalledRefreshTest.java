package io.pgtrickle.operator.catalog;

import io.pgtrickle.operator.db.QualifiedName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InstalledRefreshTest {
    private static InstalledRefresh join(List<String> bySource, List<Long> oids) {
        return new InstalledRefresh(new QualifiedName("public", "st"), "AUTO", "DIFFERENTIAL", "load", "all",
                bySource, oids, false, 0.15, true);
    }

    @Test
    void aBatchOfOneSourceRunsThatSourcesStatement() {
        InstalledRefresh r = join(List.of("only-src", "only-dim"), List.of(10L, 20L));
        assertEquals("only-src", r.refreshSqlFor(new long[] {17, 0}));
        assertEquals("only-dim", r.refreshSqlFor(new long[] {0, 3}));
    }

    @Test
    void aBatchOfSeveralSourcesRunsTheFullStatement() {
        InstalledRefresh r = join(List.of("only-src", "only-dim"), List.of(10L, 20L));
        assertEquals("all", r.refreshSqlFor(new long[] {17, 3}));
    }

    @Test
    void aSelfJoinCountsItsSourceOnce() {
        InstalledRefresh r = join(List.of("only-a", "only-a", "only-b"), List.of(10L, 10L, 30L));
        assertEquals("only-a", r.refreshSqlFor(new long[] {5, 5, 0}));
        assertEquals("all", r.refreshSqlFor(new long[] {5, 5, 1}));
    }

    @Test
    void withoutPerSourceStatementsTheFullStatementRuns() {
        assertEquals("all", join(List.of(), List.of(10L)).refreshSqlFor(new long[] {4}));
        assertEquals("all", join(List.of(), List.of(10L, 20L)).refreshSqlFor(new long[] {4, 0}));
    }
}
