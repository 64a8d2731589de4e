package io.pgtrickle.dvm.parse;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Calcite's type system bent towards PostgreSQL's, so that derived types (and any CAST Calcite
 * inserts while validating) agree with what PostgreSQL computes.
 *
 * <p>Storage tables are created from PostgreSQL's own derivation ({@code CREATE TABLE AS …
 * WITH NO DATA}), so these types only steer validation and the informational column types
 * of a plan; they must never make Calcite insert a narrowing cast.
 */
public final class PgTypeSystem extends RelDataTypeSystemImpl {
  public static final PgTypeSystem INSTANCE = new PgTypeSystem();

  /** PostgreSQL's NUMERIC_MAX_PRECISION; a DECIMAL this wide renders as plain {@code numeric}. */
  public static final int NUMERIC_UNCONSTRAINED_PRECISION = 1000;
  /** Scale of the unconstrained numeric stand-in; large so no derivation rounds. */
  public static final int NUMERIC_UNCONSTRAINED_SCALE = 500;
  /** text and varchar without length: PostgreSQL allows up to 1 GB. */
  public static final int MAX_VARCHAR_PRECISION = 10485760;

  private PgTypeSystem() {}

  @Override
  public int getMaxPrecision(SqlTypeName typeName) {
    switch (typeName) {
      case DECIMAL:
        return NUMERIC_UNCONSTRAINED_PRECISION;
      case VARCHAR:
      case CHAR:
      case VARBINARY:
      case BINARY:
        return MAX_VARCHAR_PRECISION;
      case TIMESTAMP:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
      case TIME:
        return 6;
      default:
        return super.getMaxPrecision(typeName);
    }
  }

  @Override
  public int getMaxScale(SqlTypeName typeName) {
    return typeName == SqlTypeName.DECIMAL ? NUMERIC_UNCONSTRAINED_PRECISION
        : super.getMaxScale(typeName);
  }

  @Override
  public int getDefaultPrecision(SqlTypeName typeName) {
    switch (typeName) {
      case TIMESTAMP:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
      case TIME:
        return 6;
      default:
        return super.getDefaultPrecision(typeName);
    }
  }

  /**
   * PostgreSQL string literals have no length ({@code unknown}, resolved to text): CASE and
   * UNION over 'big' and 'small' must not become CHAR(5), which would pad 'big' with blanks.
   */
  @Override
  public boolean shouldConvertRaggedUnionTypesToVarying() {
    return true;
  }

  /** sum(int2|int4) is bigint, sum(int8|numeric) is numeric, sum(float) keeps its type. */
  @Override
  public RelDataType deriveSumType(RelDataTypeFactory tf, RelDataType argumentType) {
    RelDataType t;
    switch (argumentType.getSqlTypeName()) {
      case TINYINT:
      case SMALLINT:
      case INTEGER:
        t = tf.createSqlType(SqlTypeName.BIGINT);
        break;
      case BIGINT:
      case DECIMAL:
        t = PgTypes.unconstrainedNumeric(tf);
        break;
      default:
        t = argumentType;
    }
    return tf.createTypeWithNullability(t, argumentType.isNullable());
  }

  /** avg of any integer or numeric is numeric; avg of float is double precision. */
  @Override
  public RelDataType deriveAvgAggType(RelDataTypeFactory tf, RelDataType argumentType) {
    RelDataType t;
    switch (argumentType.getSqlTypeName()) {
      case REAL:
      case FLOAT:
      case DOUBLE:
        t = tf.createSqlType(SqlTypeName.DOUBLE);
        break;
      case TINYINT:
      case SMALLINT:
      case INTEGER:
      case BIGINT:
      case DECIMAL:
        t = PgTypes.unconstrainedNumeric(tf);
        break;
      default:
        t = argumentType;
    }
    return tf.createTypeWithNullability(t, argumentType.isNullable());
  }
}
