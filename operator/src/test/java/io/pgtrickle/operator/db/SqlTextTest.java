package io.pgtrickle.operator.db;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SqlTextTest {

    @Test
    void splitsOnTopLevelSemicolonsOnly() {
        assertEquals(List.of("SELECT 1", "DROP TABLE t"), SqlText.statements("SELECT 1; DROP TABLE t;"));
    }

    @Test
    void semicolonsInsideQuotesCommentsAndDollarQuotesDoNotSplit() {
        String sql = "SELECT ';', \"a;b\", $x$;$x$, E'\\';' -- ; comment\n /* ; /* nested ; */ */ FROM t";
        assertEquals(1, SqlText.statements(sql).size());
    }

    @Test
    void trailingSemicolonAndCommentsAreNotStatements() {
        assertEquals(List.of("SELECT 1"), SqlText.statements("SELECT 1; -- done\n ; "));
    }

    @Test
    void firstKeywordSkipsCommentsAndParentheses() {
        assertEquals("with", SqlText.firstKeyword("/* c */ -- x\n ((WITH a AS (SELECT 1) SELECT * FROM a))"));
        assertEquals("insert", SqlText.firstKeyword("  INSERT INTO t VALUES (1)"));
    }

    @Test
    void unterminatedLiteralIsReported() {
        assertThrows(IllegalArgumentException.class, () -> SqlText.statements("SELECT 'abc"));
    }
}
