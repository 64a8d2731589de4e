package io.pgtrickle.dvm.delta;

import io.pgtrickle.dvm.parse.PgTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * {@code __pgt_row_id}: one value that stands for a row identity (a list of typed, possibly
 * NULL values), exact — never a hash.
 *
 * <ul>
 *   <li>One NOT NULL identity column: the value itself, in its own type. The unique index then
 *       compares with the type's own equality, which is GROUP BY's (1.0 = 1.00 for numeric).
 *   <li>Otherwise: the text of {@code ROW(v1, v2, …)}. Record output is injective (NULL prints
 *       as nothing, the empty string as {@code ""}), so distinct identities never collide; each
 *       value is first brought to a canonical form where its type's equality is coarser than
 *       text equality: {@code trim_scale} for numeric, {@code -0 → 0} for floats.
 *   <li>No identity column (a global aggregate, a constant result): the constant 0.
 * </ul>
 *
 * Text equality of other types is assumed to be their equality: true for integers, text under
 * deterministic collations, dates, timestamps, uuid, booleans; not for intervals ({@code 1 day}
 * vs {@code 24 hours}) or case-insensitive collations, documented in docs/dvm.md.
 */
final class RowId {
  private RowId() {}

  static String expr(List<IdColumn> ids, Function<IdColumn, String> ref) {
    if (ids.isEmpty()) {
      return "0";
    }
    if (ids.size() == 1 && !ids.get(0).nullable() && indexable(ids.get(0).type())) {
      return ref.apply(ids.get(0));
    }
    List<String> parts = new ArrayList<>();
    for (IdColumn id : ids) {
      parts.add(canonical(ref.apply(id), id.type()));
    }
    return "ROW(" + String.join(", ", parts) + ")::text";
  }

  /** Always the canonical text form (for combining identities of different types). */
  static String text(List<IdColumn> ids, Function<IdColumn, String> ref) {
    List<String> parts = new ArrayList<>();
    for (IdColumn id : ids) {
      parts.add(canonical(ref.apply(id), id.type()));
    }
    return "ROW(" + String.join(", ", parts) + ")::text";
  }

  private static boolean indexable(RelDataType t) {
    return hasEquality(t);
  }

  /** False for the types PostgreSQL has no equality operator for (json, xml, point). */
  static boolean hasEquality(RelDataType t) {
    return !PgTypes.lacksEquality(t);
  }

  private static String canonical(String sql, RelDataType t) {
    SqlTypeName n = t.getSqlTypeName();
    if (n == SqlTypeName.DECIMAL) {
      return "trim_scale(" + sql + ")";
    }
    if (n == SqlTypeName.REAL || n == SqlTypeName.DOUBLE || n == SqlTypeName.FLOAT) {
      return "CASE WHEN " + sql + " = 0 THEN 0 ELSE " + sql + " END";
    }
    return sql;
  }
}
