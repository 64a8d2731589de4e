package io.pgtrickle.dvm.delta;

import org.apache.calcite.rel.type.RelDataType;

/**
 * One column of a row identity, as carried through the operator tree in SQL.
 *
 * @param name  its alias in the operator's SQL ({@code __pgt_id0}, …)
 * @param type  its Calcite type (nullability included: outer joins and group keys may be NULL)
 * @param field the operator output field it always equals, or -1: used to see that a join
 *              condition pins one side's identity (a join on a key keeps the other side's)
 */
public record IdColumn(String name, RelDataType type, int field) {
  IdColumn withField(int f) {
    return new IdColumn(name, type, f);
  }

  IdColumn renamed(String n) {
    return new IdColumn(n, type, field);
  }

  boolean nullable() {
    return type.isNullable();
  }
}
