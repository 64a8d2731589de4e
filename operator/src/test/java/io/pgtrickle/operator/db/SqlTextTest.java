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

    @Test
    void parameterMarksOutsideQuotesReachPostgresqlAsWrittenThroughPgJdbc() throws Exception {
        List<String> corpus = List.of(
                "SELECT d ? 'k' AS has, d ?| ARRAY['a','b'] AS any_, d ?& ARRAY['c'] AS all_ FROM t",
                "SELECT 'a?b' AS s, \"odd?name\" FROM t WHERE x ? 'y'",
                "SELECT E'it\\'s ?' AS s, $$ ? $$ AS d, $tag$ ?? $tag$ AS e FROM t -- why?\n WHERE a ? 'b'",
                "SELECT 1 /* ? /* nested ? */ ? */ AS one",
                "SELECT a$1 ? 'k' AS x FROM t",
                "SELECT '{\"k\": 1}'::jsonb ? 'k' AS k");
        for (String sql : corpus) {
            String escaped = SqlText.escapeParameterMarks(sql);
            List<org.postgresql.core.NativeQuery> parsed =
                    org.postgresql.core.Parser.parseJdbcSql(escaped, true, true, false, false, false);
            assertEquals(1, parsed.size(), sql);
            assertEquals(0, parsed.get(0).bindPositions.length, "PgJDBC still sees a parameter in " + escaped);
            assertEquals(sql, parsed.get(0).nativeSql, "PostgreSQL would receive other text than " + sql);
        }
    }

    @Test
    void aCarriageReturnEndsADashDashCommentAsInPostgresql() {
        // otherwise the second statement hides in the "comment" from this check, and the driver sends it
        assertEquals(2, SqlText.statements("SELECT 1 AS x --\r; SELECT pg_terminate_backend(1)").size());
        assertEquals(2, SqlText.statements("SELECT 1 AS x -- c\r\n; SELECT 2").size());
        assertEquals(1, SqlText.statements("SELECT 1 AS x -- ; not a statement\n").size());
    }
}
