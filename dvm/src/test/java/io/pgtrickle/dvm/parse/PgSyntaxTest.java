package io.pgtrickle.dvm.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PgSyntaxTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "ts + interval '1 day'            | ts + INTERVAL '1' DAY",
      "ts - interval '2 hours 30 min'   | ts - (INTERVAL '2' HOUR + INTERVAL '30' MINUTE)",
      "ts + interval '1 week'           | ts + INTERVAL '7' DAY",
      "data->>'k'                       | __pgt_op_get_text(data,'k')",
      "data->'a'->>'b'                  | __pgt_op_get_text(__pgt_op_get(data,'a'),'b')",
      "t.data ? 'k'                     | __pgt_op_exists(t.data ,'k')",
      "x::jsonb @> '{}'::jsonb          | __pgt_op_contains((x::jsonb) ,('{}'::jsonb))",
      "a AND b::int > 1                 | a AND (b::int) > 1",
      "timestamptz '2024-01-01'         | (('2024-01-01'::timestamptz))",
  })
  void rewritesToWhatCalciteParses(String pg, String calcite) {
    assertEquals(calcite.replace(" ", ""), PgSyntax.rewrite(pg).replace(" ", ""));
  }

  @Test
  void leavesLiteralsCommentsAndQuotedIdentifiersAlone() {
    String sql = "SELECT '->' AS \"a->b\", E'it''s \\' ?' -- x -> 'y'\n/* ? */ FROM t";
    assertEquals(sql, PgSyntax.rewrite(sql));
  }

  @Test
  void distinctOnIsRecognised() {
    assertTrue(PgSyntax.unsupported("select distinct on (a) a from t").isPresent());
    assertTrue(PgSyntax.unsupported("select distinct a from t").isEmpty());
  }
}
