package io.pgtrickle.dvm.parse;

import java.util.List;
import java.util.Locale;
import org.apache.calcite.rel.type.RelDataTypeComparability;
import org.apache.calcite.rel.type.RelProtoDataType;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.ObjectSqlType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * PostgreSQL type names ({@code format_type} spelling and common aliases) to Calcite types and
 * back.
 *
 * <p>Types Calcite has no model for ({@code jsonb}, {@code uuid}, {@code inet}, enums, …) become
 * {@code ANY}: the validator then lets PostgreSQL be the judge of their operators. Unconstrained
 * {@code numeric} becomes {@code DECIMAL(1000, 500)} (see {@link PgTypeSystem}), which renders
 * back as plain {@code numeric}.
 */
public final class PgTypes {
  private static final Pattern WITH_ARGS = Pattern.compile("^([a-z ]+?)\\s*\\(([^)]*)\\)(.*)$");

  private PgTypes() {}

  /** The Calcite type of a column of PostgreSQL type {@code pgType}. */
  public static RelDataType toCalcite(String pgType, RelDataTypeFactory tf, boolean nullable) {
    RelDataType t = toCalciteNotNull(pgType.trim().toLowerCase(Locale.ROOT), tf);
    return tf.createTypeWithNullability(t, nullable);
  }

  private static RelDataType toCalciteNotNull(String t, RelDataTypeFactory tf) {
    if (t.endsWith("[]")) {
      RelDataType element = toCalcite(t.substring(0, t.length() - 2), tf, true);
      return tf.createArrayType(element, -1);
    }
    String base = t;
    int p = -1;
    int s = -1;
    Matcher m = WITH_ARGS.matcher(t);
    if (m.matches()) {
      // "numeric(10,2)", "character varying(20)", "timestamp(3) with time zone"
      base = (m.group(1) + m.group(3)).trim();
      String[] args = m.group(2).split(",");
      p = Integer.parseInt(args[0].trim());
      if (args.length > 1) {
        s = Integer.parseInt(args[1].trim());
      }
    }
    switch (base) {
      case "smallint", "int2", "smallserial":
        return tf.createSqlType(SqlTypeName.SMALLINT);
      case "integer", "int", "int4", "serial":
        return tf.createSqlType(SqlTypeName.INTEGER);
      case "bigint", "int8", "bigserial":
        return tf.createSqlType(SqlTypeName.BIGINT);
      case "numeric", "decimal":
        if (p < 0) {
          return unconstrainedNumeric(tf);
        }
        return tf.createSqlType(SqlTypeName.DECIMAL, p, Math.max(s, 0));
      case "real", "float4":
        return tf.createSqlType(SqlTypeName.REAL);
      case "double precision", "float8", "float":
        return tf.createSqlType(SqlTypeName.DOUBLE);
      case "text", "name", "citext":
        return tf.createSqlType(SqlTypeName.VARCHAR);
      case "character varying", "varchar":
        return p < 0 ? tf.createSqlType(SqlTypeName.VARCHAR)
            : tf.createSqlType(SqlTypeName.VARCHAR, p);
      case "character", "char", "bpchar":
        return tf instanceof PgTypeFactory f ? f.createFixedChar(p < 0 ? 1 : p)
            : tf.createSqlType(SqlTypeName.CHAR, p < 0 ? 1 : p);
      case "boolean", "bool":
        return tf.createSqlType(SqlTypeName.BOOLEAN);
      case "date":
        return tf.createSqlType(SqlTypeName.DATE);
      case "timestamp", "timestamp without time zone":
        return tf.createSqlType(SqlTypeName.TIMESTAMP, p < 0 ? 6 : p);
      case "timestamptz", "timestamp with time zone":
        return tf.createSqlType(SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE, p < 0 ? 6 : p);
      case "time", "time without time zone":
        return tf.createSqlType(SqlTypeName.TIME, p < 0 ? 6 : p);
      case "interval":
        return named(tf, "interval");
      case "bytea":
        return tf.createSqlType(SqlTypeName.VARBINARY);
      default:
        return named(tf, base.equals(t) ? t : t);
    }
  }

  /**
   * A type Calcite has no model for (jsonb, uuid, inet, an enum, …): ANY to the validator, so
   * PostgreSQL judges its operators, but keeping its PostgreSQL name for casts and column types.
   */
  public static RelDataType named(RelDataTypeFactory tf, String pgName) {
    if (tf instanceof PgTypeFactory p) {
      return p.createNamedType(pgName, false);
    }
    return tf.createSqlType(SqlTypeName.ANY);
  }

  /** The PostgreSQL name carried by a {@link #named} type, or null. */
  public static String namedTypeName(RelDataType t) {
    return t instanceof PgTypeFactory.NamedType n ? n.pgName() : null;
  }

  /**
   * Whether PostgreSQL has no equality operator for values of {@code t}: json, xml and point, and arrays
   * of them. Such values cannot be grouped, compared by {@code IS DISTINCT FROM} or put in an index.
   */
  public static boolean lacksEquality(RelDataType t) {
    if (t.getComponentType() != null) {
      return lacksEquality(t.getComponentType());
    }
    String named = namedTypeName(t);
    if (named == null) {
      return false;
    }
    String base = named.endsWith("[]") ? named.substring(0, named.length() - 2) : named;
    return base.equals("json") || base.equals("xml") || base.equals("point");
  }

  /** Type names PostgreSQL accepts in casts that Calcite's grammar does not know. */
  public static java.util.Map<String, RelProtoDataType> aliases() {
    java.util.Map<String, RelProtoDataType> m = new java.util.HashMap<>();
    for (String alias : List.of("text", "int2", "int4", "int8", "float4", "float8", "bool",
        "timestamptz", "bpchar", "serial", "bigserial", "name")) {
      m.put(alias, tf -> toCalcite(alias, tf, true));
    }
    for (String other : List.of("jsonb", "json", "uuid", "inet", "cidr", "macaddr", "citext",
        "money", "xml", "tsvector", "tsquery", "oid", "regclass", "interval")) {
      m.put(other, tf -> named(tf, other));
    }
    return m;
  }

  public static RelDataType unconstrainedNumeric(RelDataTypeFactory tf) {
    return tf.createSqlType(SqlTypeName.DECIMAL, PgTypeSystem.NUMERIC_UNCONSTRAINED_PRECISION,
        PgTypeSystem.NUMERIC_UNCONSTRAINED_SCALE);
  }

  /** True for the DECIMAL type that stands for PostgreSQL's unconstrained {@code numeric}. */
  public static boolean isUnconstrainedNumeric(RelDataType t) {
    return t.getSqlTypeName() == SqlTypeName.DECIMAL
        && t.getPrecision() >= PgTypeSystem.NUMERIC_UNCONSTRAINED_PRECISION;
  }

  /**
   * The PostgreSQL spelling of a Calcite type, or {@code null} when Calcite does not know it
   * ({@code ANY}): callers then look at the column the value comes from.
   */
  public static String toPg(RelDataType t) {
    switch (t.getSqlTypeName()) {
      case BOOLEAN:
        return "boolean";
      case TINYINT:
      case SMALLINT:
        return "smallint";
      case INTEGER:
        return "integer";
      case BIGINT:
        return "bigint";
      case DECIMAL:
        return isUnconstrainedNumeric(t) ? "numeric"
            : "numeric(" + t.getPrecision() + "," + t.getScale() + ")";
      case REAL:
        return "real";
      case FLOAT:
      case DOUBLE:
        return "double precision";
      case CHAR:
        return "character(" + t.getPrecision() + ")";
      case VARCHAR:
        return t.getPrecision() <= 0 || t.getPrecision() >= PgTypeSystem.MAX_VARCHAR_PRECISION
            ? "text" : "character varying(" + t.getPrecision() + ")";
      case DATE:
        return "date";
      case TIME:
        return "time without time zone";
      case TIMESTAMP:
        return "timestamp without time zone";
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return "timestamp with time zone";
      case BINARY:
      case VARBINARY:
        return "bytea";
      case ARRAY: {
        String e = toPg(t.getComponentType());
        return e == null ? null : e + "[]";
      }
      case ANY:
        return namedTypeName(t);
      default:
        if (t.getSqlTypeName().getFamily() != null
            && t.getSqlTypeName().getName().startsWith("INTERVAL")) {
          return "interval";
        }
        return null;
    }
  }
}
