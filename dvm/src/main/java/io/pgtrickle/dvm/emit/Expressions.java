package io.pgtrickle.dvm.emit;

import io.pgtrickle.dvm.parse.CalciteSetup;
import java.util.List;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.rel2sql.SqlImplementor;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Renders Calcite expressions (RexNode, AggregateCall) as PostgreSQL text with Calcite's
 * unparser and {@link PgDialect}. Input field {@code i} becomes whatever SQL the caller gives
 * for it (usually {@code alias."column"}).
 */
public final class Expressions {
  private static final String PLACEHOLDER = "__pgt_field_";

  private Expressions() {}

  /** {@code rex} with input field i written as {@code fields.get(i)}. */
  public static String render(RexNode rex, List<String> fields) {
    SqlNode node = context().toSql(null, rex.accept(PLAIN_NUMERIC_LITERALS));
    return substitute(unparse(node), fields);
  }

  /**
   * An aggregate call ({@code sum(x)}, {@code string_agg(x, ',' ORDER BY x)}, FILTER …) in
   * PostgreSQL's syntax: the ORDER BY goes inside the parentheses (Calcite's unparser writes
   * WITHIN GROUP, which PostgreSQL keeps for ordered-set aggregates).
   */
  public static String render(AggregateCall call, List<String> fields) {
    String name = call.getAggregation().getName().toLowerCase(java.util.Locale.ROOT);
    if (call.getAggregation().getKind() == org.apache.calcite.sql.SqlKind.LITERAL_AGG) {
      // Calcite's marker aggregate (NOT IN, EXISTS decorrelation): the same literal per group.
      return render(call.rexList.get(0), fields);
    }
    // Calcite converts STRING_AGG to its standard LISTAGG.
    name = name.equals("listagg") ? "string_agg" : name;
    StringBuilder sb = new StringBuilder(name).append('(');
    if (call.isDistinct()) {
      sb.append("DISTINCT ");
    }
    if (call.getArgList().isEmpty()) {
      sb.append('*');
    } else {
      sb.append(String.join(", ", call.getArgList().stream().map(fields::get).toList()));
    }
    List<org.apache.calcite.rel.RelFieldCollation> order = call.collation.getFieldCollations();
    if (!order.isEmpty()) {
      List<String> keys = new java.util.ArrayList<>();
      for (org.apache.calcite.rel.RelFieldCollation fc : order) {
        String k = fields.get(fc.getFieldIndex());
        if (fc.getDirection().isDescending()) {
          k += " DESC";
        }
        if (fc.nullDirection == org.apache.calcite.rel.RelFieldCollation.NullDirection.FIRST) {
          k += " NULLS FIRST";
        } else if (fc.nullDirection
            == org.apache.calcite.rel.RelFieldCollation.NullDirection.LAST) {
          k += " NULLS LAST";
        }
        keys.add(k);
      }
      sb.append(" ORDER BY ").append(String.join(", ", keys));
    }
    sb.append(')');
    if (call.filterArg >= 0) {
      sb.append(" FILTER (WHERE ").append(fields.get(call.filterArg)).append(')');
    }
    return sb.toString();
  }

  private static final org.apache.calcite.rex.RexBuilder REX =
      new org.apache.calcite.rex.RexBuilder(new io.pgtrickle.dvm.parse.PgTypeFactory());

  /**
   * A literal Calcite coerced to the unconstrained-numeric stand-in (scale 500) would print 500
   * zeros; PostgreSQL resolves a plain literal against the other operand just as well.
   */
  private static final org.apache.calcite.rex.RexShuttle PLAIN_NUMERIC_LITERALS =
      new org.apache.calcite.rex.RexShuttle() {
        @Override
        public RexNode visitLiteral(org.apache.calcite.rex.RexLiteral literal) {
          if (io.pgtrickle.dvm.parse.PgTypes.isUnconstrainedNumeric(literal.getType())
              && literal.getValueAs(java.math.BigDecimal.class) != null) {
            java.math.BigDecimal v = literal.getValueAs(java.math.BigDecimal.class)
                .stripTrailingZeros();
            if (v.scale() < 0) {
              v = v.setScale(0);
            }
            return REX.makeExactLiteral(v);
          }
          return literal;
        }
      };

  private static SqlImplementor.SimpleContext context() {
    return new SqlImplementor.SimpleContext(CalciteSetup.dialect(),
        i -> new SqlIdentifier(PLACEHOLDER + i, SqlParserPos.ZERO));
  }

  private static String unparse(SqlNode node) {
    return node.toSqlString(c -> c.withDialect(CalciteSetup.dialect())
        .withQuoteAllIdentifiers(true)
        .withAlwaysUseParentheses(false)
        .withSelectListItemsOnSeparateLines(false)
        .withIndentation(0)).getSql().replace('\n', ' ');
  }

  private static String substitute(String sql, List<String> fields) {
    StringBuilder out = new StringBuilder();
    String marker = "\"" + PLACEHOLDER;
    int i = 0;
    while (true) {
      int at = sql.indexOf(marker, i);
      if (at < 0) {
        out.append(sql, i, sql.length());
        return out.toString();
      }
      int end = sql.indexOf('"', at + marker.length());
      int field = Integer.parseInt(sql.substring(at + marker.length(), end));
      out.append(sql, i, at);
      String f = fields.get(field);
      if (f == null) {
        throw new IllegalStateException("expression reads field " + field
            + " which is not materialised");
      }
      out.append(f);
      i = end + 1;
    }
  }
}
