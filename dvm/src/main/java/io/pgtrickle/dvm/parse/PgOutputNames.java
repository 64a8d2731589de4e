package io.pgtrickle.dvm.parse;

import java.util.Locale;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.apache.calcite.sql.validate.SqlValidatorUtil;

/**
 * Names unaliased select items the way PostgreSQL does ({@code FigureColname} in its parser):
 * {@code count(*)} is {@code count}, {@code x::int} is {@code x}, {@code CASE …} is
 * {@code case}, an operator expression is {@code ?column?}. Calcite would say
 * {@code EXPR$0}; the storage table's columns must be the names PostgreSQL gives.
 */
public final class PgOutputNames {
  private PgOutputNames() {}

  /** Adds PostgreSQL's alias to every unaliased select item of every SELECT in the tree. */
  public static void apply(SqlNode root) {
    root.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlCall call) {
        if (call instanceof SqlSelect select) {
          nameSelectItems(select);
        }
        // Operands may be null (CASE without ELSE, SELECT without WHERE).
        for (SqlNode operand : call.getOperandList()) {
          if (operand != null) {
            operand.accept(this);
          }
        }
        return null;
      }

      @Override
      public Void visit(SqlNodeList list) {
        for (SqlNode n : list) {
          if (n != null) {
            n.accept(this);
          }
        }
        return null;
      }
    });
  }

  /**
   * A column name the query's output would carry twice (PostgreSQL allows that in a SELECT but
   * not in a table), or null. Not checked when the list contains {@code *}.
   */
  public static String duplicateOutputName(SqlNode query) {
    SqlNode n = query;
    while (!(n instanceof SqlSelect)) {
      if (n instanceof org.apache.calcite.sql.SqlOrderBy ob) {
        n = ob.query;
      } else if (n instanceof org.apache.calcite.sql.SqlWith w) {
        n = w.body;
      } else if (n instanceof SqlCall call && call.getKind().belongsTo(SqlKind.SET_QUERY)) {
        n = call.operand(0);
      } else {
        return null;
      }
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (SqlNode item : ((SqlSelect) n).getSelectList()) {
      String name;
      if (item instanceof SqlIdentifier id) {
        if (id.isStar()) {
          return null;
        }
        name = id.names.get(id.names.size() - 1);
      } else if (item.getKind() == SqlKind.AS) {
        name = ((SqlIdentifier) ((SqlCall) item).operand(1)).getSimple();
      } else {
        continue;
      }
      if (!seen.add(name)) {
        return name;
      }
    }
    return null;
  }

  private static void nameSelectItems(SqlSelect select) {
    SqlNodeList items = select.getSelectList();
    SqlNodeList named = new SqlNodeList(items.getParserPosition());
    for (SqlNode item : items) {
      if (item instanceof SqlIdentifier || item.getKind() == SqlKind.AS) {
        named.add(item);
      } else {
        named.add(SqlValidatorUtil.addAlias(item, figure(item)));
      }
    }
    select.setSelectList(named);
  }

  /** PostgreSQL's name for an unaliased expression. */
  static String figure(SqlNode node) {
    String n = figureOrNull(node);
    return n == null ? "?column?" : n;
  }

  private static String figureOrNull(SqlNode node) {
    if (node instanceof SqlIdentifier id) {
      return id.isStar() ? null : id.names.get(id.names.size() - 1);
    }
    if (!(node instanceof SqlCall call)) {
      return null;
    }
    switch (call.getKind()) {
      case CAST: {
        String inner = figureOrNull(call.operand(0));
        if (inner != null) {
          return inner;
        }
        SqlNode type = call.operand(1);
        if (type instanceof SqlDataTypeSpec spec
            && spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec) {
          return pgInternalTypeName(spec.getTypeName().getSimple());
        }
        return type instanceof SqlDataTypeSpec spec ? spec.getTypeName().getSimple()
            .toLowerCase(Locale.ROOT) : null;
      }
      case FILTER:
      case OVER:
      case WITHIN_GROUP:
      case WITHIN_DISTINCT:
        return figureOrNull(call.operand(0));
      case CASE:
        return "case";
      case COALESCE:
        return "coalesce";
      case NULLIF:
        return "nullif";
      case GREATEST:
        return "greatest";
      case LEAST:
        return "least";
      case EXISTS:
        return "exists";
      case ARRAY_VALUE_CONSTRUCTOR:
      case ARRAY_QUERY_CONSTRUCTOR:
        return "array";
      case ROW:
        return "row";
      case SCALAR_QUERY:
        return null;
      default:
        break;
    }
    if (call.getOperator() instanceof PgOperators.InfixOperator) {
      return null;
    }
    if (call.getOperator() instanceof SqlFunction
        || call.getOperator().getSyntax() == org.apache.calcite.sql.SqlSyntax.FUNCTION
        || call.getOperator().getSyntax() == org.apache.calcite.sql.SqlSyntax.FUNCTION_STAR
        || call.getOperator().getSyntax() == org.apache.calcite.sql.SqlSyntax.FUNCTION_ID) {
      String name = call.getOperator().getName();
      if (name.toLowerCase(Locale.ROOT).startsWith("__pgt_op_")) {
        return null;
      }
      return name.toLowerCase(Locale.ROOT);
    }
    return null;
  }

  private static String pgInternalTypeName(String sqlName) {
    switch (sqlName.toUpperCase(Locale.ROOT)) {
      case "INTEGER", "INT":
        return "int4";
      case "BIGINT":
        return "int8";
      case "SMALLINT":
        return "int2";
      case "DECIMAL", "NUMERIC":
        return "numeric";
      case "VARCHAR":
        return "varchar";
      case "CHAR":
        return "bpchar";
      case "BOOLEAN":
        return "bool";
      case "DOUBLE", "FLOAT":
        return "float8";
      case "REAL":
        return "float4";
      default:
        return sqlName.toLowerCase(Locale.ROOT);
    }
  }
}
