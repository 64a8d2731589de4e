package io.pgtrickle.dvm.parse;

import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.util.SqlOperatorTables;

/**
 * PostgreSQL functions and operators that Calcite's STANDARD and POSTGRESQL libraries lack or
 * type differently.
 *
 * <p>jsonb operators ({@code -> ->> #> #>> ? ?| ?& @> <@}) are not in Calcite's grammar;
 * {@link PgSyntax} rewrites each use into a call of a function named {@code __pgt_op_<name>},
 * defined here, whose unparse writes the infix operator back.
 */
public final class PgOperators {
  private PgOperators() {}

  /** {@code date_trunc(field text, source timestamp[tz] | interval [, zone text])}. */
  public static final SqlFunction DATE_TRUNC = new SqlFunction("DATE_TRUNC",
      SqlKind.OTHER_FUNCTION, ReturnTypes.ARG1_NULLABLE, null,
      OperandTypes.or(OperandTypes.family(org.apache.calcite.sql.type.SqlTypeFamily.CHARACTER,
              org.apache.calcite.sql.type.SqlTypeFamily.ANY),
          OperandTypes.family(org.apache.calcite.sql.type.SqlTypeFamily.CHARACTER,
              org.apache.calcite.sql.type.SqlTypeFamily.ANY,
              org.apache.calcite.sql.type.SqlTypeFamily.CHARACTER)),
      SqlFunctionCategory.TIMEDATE);

  /** An infix PostgreSQL operator smuggled through the parser as a function. */
  public static final class InfixOperator extends SqlFunction {
    private final String symbol;

    InfixOperator(String functionName, String symbol, SqlTypeName returns) {
      super(functionName.toUpperCase(java.util.Locale.ROOT), SqlKind.OTHER_FUNCTION,
          returns == SqlTypeName.ANY ? ReturnTypes.explicit(SqlTypeName.ANY)
              .andThen(org.apache.calcite.sql.type.SqlTypeTransforms.TO_NULLABLE)
              : ReturnTypes.explicit(returns)
              .andThen(org.apache.calcite.sql.type.SqlTypeTransforms.TO_NULLABLE),
          null, OperandTypes.ANY_ANY, SqlFunctionCategory.USER_DEFINED_FUNCTION);
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    @Override
    public void unparse(SqlWriter writer, SqlCall call, int leftPrec, int rightPrec) {
      SqlWriter.Frame f = writer.startList("(", ")");
      call.operand(0).unparse(writer, 0, 0);
      writer.print(" " + symbol + " ");
      call.operand(1).unparse(writer, 0, 0);
      writer.endList(f);
    }
  }

  static final List<InfixOperator> INFIX = List.of(
      new InfixOperator("__pgt_op_get", "->", SqlTypeName.ANY),
      new InfixOperator("__pgt_op_get_text", "->>", SqlTypeName.VARCHAR),
      new InfixOperator("__pgt_op_path", "#>", SqlTypeName.ANY),
      new InfixOperator("__pgt_op_path_text", "#>>", SqlTypeName.VARCHAR),
      new InfixOperator("__pgt_op_exists", "?", SqlTypeName.BOOLEAN),
      new InfixOperator("__pgt_op_exists_any", "?|", SqlTypeName.BOOLEAN),
      new InfixOperator("__pgt_op_exists_all", "?&", SqlTypeName.BOOLEAN),
      new InfixOperator("__pgt_op_contains", "@>", SqlTypeName.BOOLEAN),
      new InfixOperator("__pgt_op_contained", "<@", SqlTypeName.BOOLEAN));

  /** The function name {@link PgSyntax} writes for an infix operator symbol. */
  static String functionFor(String symbol) {
    for (InfixOperator op : INFIX) {
      if (op.symbol.equals(symbol)) {
        return op.getName().toLowerCase(java.util.Locale.ROOT);
      }
    }
    throw new IllegalArgumentException(symbol);
  }

  static SqlOperatorTable table() {
    List<SqlOperator> ops = new java.util.ArrayList<>(INFIX);
    ops.add(DATE_TRUNC);
    return SqlOperatorTables.of(ops);
  }
}
