package io.pgtrickle.dvm.emit;

import io.pgtrickle.dvm.parse.PgTypes;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlUserDefinedTypeNameSpec;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Calcite's PostgreSQL dialect with the type spellings our type mapping needs: the
 * unconstrained-numeric stand-in renders as {@code numeric}, unbounded VARCHAR as {@code text},
 * TIMESTAMP WITH LOCAL TIME ZONE as {@code timestamptz}.
 */
public final class PgDialect extends PostgresqlSqlDialect {
  public static final PgDialect INSTANCE = new PgDialect();

  private PgDialect() {
    super(PostgresqlSqlDialect.DEFAULT_CONTEXT);
  }

  @Override
  public SqlNode getCastSpec(RelDataType type) {
    SqlTypeName n = type.getSqlTypeName();
    String spelled = PgTypes.namedTypeName(type);
    if (spelled != null) {
      // a PostgreSQL type Calcite has no model for: keep its name
    } else if (n == SqlTypeName.DECIMAL && PgTypes.isUnconstrainedNumeric(type)) {
      spelled = "numeric";
    } else if (n == SqlTypeName.VARCHAR && "text".equals(PgTypes.toPg(type))) {
      spelled = "text";
    } else if (n == SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE) {
      spelled = "timestamptz";
    } else if (n == SqlTypeName.TIMESTAMP) {
      spelled = "timestamp";
    } else if (n == SqlTypeName.DOUBLE || n == SqlTypeName.FLOAT) {
      spelled = "float8";
    }
    if (spelled != null) {
      final String name = spelled;
      return new SqlDataTypeSpec(
          new SqlUserDefinedTypeNameSpec(name, SqlParserPos.ZERO), SqlParserPos.ZERO) {
        @Override
        public void unparse(org.apache.calcite.sql.SqlWriter writer, int leftPrec, int rightPrec) {
          writer.keyword(name);
        }
      };
    }
    return super.getCastSpec(type);
  }
}
