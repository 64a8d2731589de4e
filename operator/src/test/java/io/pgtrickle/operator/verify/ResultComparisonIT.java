package io.pgtrickle.operator.verify;

import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ResultComparison}: equal results by each type's own equality (numeric scale, floats rounded to real, json
 * as text), as multisets; the checksum that comes first sees which values share a row, and a type without a hash
 * function is compared by the set operations alone.
 */
class ResultComparisonIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static ResultComparison.Difference compare(String table, String query) throws Exception {
        try (Connection c = PG.database().connect()) {
            c.setAutoCommit(false);
            try {
                return ResultComparison.compare(c, QualifiedName.parse(table), query, 5);
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void valuesSwappedBetweenRowsDiffer() throws Exception {
        // Every column holds the same values on both sides, only not in the same rows: a sum of row hashes
        // that combine column hashes linearly would not see it.
        PG.database().exec("CREATE TABLE swapped (id int, name text)",
                "INSERT INTO swapped VALUES (1, 'b'), (2, 'a'), (3, 'c')");
        ResultComparison.Difference d = compare("swapped", "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) v(id, name)");
        assertEquals(2, d.missing());
        assertEquals(2, d.extra());
        assertEquals(3, d.rows());
        assertTrue(d.missingSample().contains("(1,a)"), d.missingSample().toString());
    }

    @Test
    void equalityIsEachTypesOwn() throws Exception {
        PG.database().exec("CREATE TABLE typed (n numeric, f float8, j json, __pgt_row_id bigint)",
                "INSERT INTO typed VALUES (1.0, 0.1 + 0.2, '{\"a\": 1}', 7), (NULL, NULL, NULL, 8)");
        ResultComparison.Difference d = compare("typed",
                "SELECT 1.00::numeric AS n, 0.3::float8 AS f, '{\"a\": 1}'::json AS j"
                        + " UNION ALL SELECT NULL, NULL, NULL");
        assertTrue(d.equal(), d.summary() + " " + d.missingSample() + " " + d.extraSample());
        assertEquals(2, d.rows());
    }

    @Test
    void duplicatesCountAndNullRowsCount() throws Exception {
        PG.database().exec("CREATE TABLE dups (k text, v int)",
                "INSERT INTO dups VALUES ('x', 1), ('x', 1), (NULL, NULL)");
        assertTrue(compare("dups", "SELECT * FROM (VALUES ('x', 1), ('x', 1), (NULL::text, NULL::int)) v(k, v)").equal());
        ResultComparison.Difference d = compare("dups",
                "SELECT * FROM (VALUES ('x', 1), (NULL::text, NULL::int), (NULL, NULL)) v(k, v)");
        assertEquals(1, d.missing(), "a second all-NULL row");
        assertEquals(1, d.extra(), "a second ('x', 1)");
    }

    @Test
    void aTypeWithoutAHashFunctionIsComparedAllTheSame() throws Exception {
        PG.database().exec("CREATE TABLE bits (b bit(3), n int)", "INSERT INTO bits VALUES (B'101', 1), (B'011', 2)");
        assertTrue(compare("bits", "SELECT * FROM (VALUES (B'101'::bit(3), 1), (B'011'::bit(3), 2)) v(b, n)").equal());
        ResultComparison.Difference d = compare("bits",
                "SELECT * FROM (VALUES (B'101'::bit(3), 1), (B'011'::bit(3), 3)) v(b, n)");
        assertEquals(1, d.missing());
        assertEquals(1, d.extra());
    }
}
