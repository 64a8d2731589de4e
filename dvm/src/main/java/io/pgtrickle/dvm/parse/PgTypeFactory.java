package io.pgtrickle.dvm.parse;

import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeComparability;
import org.apache.calcite.rel.type.RelDataTypeFamily;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.ObjectSqlType;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Type factory with {@link PgTypeSystem} and {@link NamedType}s: PostgreSQL types Calcite has no
 * model for, seen by the validator as ANY but remembering their PostgreSQL name.
 */
public final class PgTypeFactory extends JavaTypeFactoryImpl {
  public PgTypeFactory() {
    super(PgTypeSystem.INSTANCE);
  }

  /**
   * CHAR(n) requests become VARCHAR(n): Calcite types a string literal as CHAR(n) and pads it
   * when CASE or UNION mixes lengths ('big' becomes 'big  '), whereas a PostgreSQL literal has
   * no length and resolves to text. Real {@code character(n)} columns use {@link #createFixedChar}.
   */
  @Override
  public RelDataType createSqlType(SqlTypeName typeName, int precision) {
    if (typeName == SqlTypeName.CHAR) {
      return super.createSqlType(SqlTypeName.VARCHAR, precision);
    }
    return super.createSqlType(typeName, precision);
  }

  /** PostgreSQL {@code character(n)} (bpchar): blank-padded, fixed length. */
  public RelDataType createFixedChar(int precision) {
    return super.createSqlType(SqlTypeName.CHAR, precision);
  }

  public RelDataType createNamedType(String pgName, boolean nullable) {
    return canonize(new NamedType(pgName, nullable));
  }

  @Override
  public RelDataType createTypeWithNullability(RelDataType type, boolean nullable) {
    if (type instanceof NamedType n) {
      // The stock copy would turn it into a plain ObjectSqlType and lose the ANY family.
      return n.isNullable() == nullable ? type : createNamedType(n.pgName(), nullable);
    }
    return super.createTypeWithNullability(type, nullable);
  }

  /** jsonb, uuid, inet, an enum, …: ANY to Calcite, its own name to PostgreSQL. */
  public static final class NamedType extends ObjectSqlType {
    NamedType(String pgName, boolean nullable) {
      super(SqlTypeName.ANY, new SqlIdentifier(pgName, SqlParserPos.ZERO), nullable,
          java.util.List.of(), RelDataTypeComparability.ALL);
    }

    public String pgName() {
      return getSqlIdentifier().getSimple();
    }

    @Override
    public RelDataTypeFamily getFamily() {
      return SqlTypeFamily.ANY;
    }

    @Override
    protected void generateTypeString(StringBuilder sb, boolean withDetail) {
      sb.append(pgName());
    }
  }
}
