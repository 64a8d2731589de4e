package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.col;
import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.emit.SqlText;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.core.Union;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * UNION ALL.
 *
 * <p>Z-set rule: linear. {@code Δ(A ⊎ B) = ΔA ⊎ ΔB}. Identity: (branch number, branch
 * identity), as text; when a branch counts rows by multiplicity, every branch's identity also
 * includes its row content so that equal identities always mean equal rows.
 */
final class UnionAllDelta {
  private UnionAllDelta() {}

  static Derived derive(Union union, List<Derived> inputs, ImmutableBitSet used,
      DeltaContext ctx) {
    List<String> names = union.getRowType().getFieldNames();
    boolean counted = inputs.stream().anyMatch(Derived::counted);
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      columns.add(used.get(i) ? names.get(i) : null);
    }
    List<String> posts = new ArrayList<>();
    List<String> deltas = new ArrayList<>();
    for (int b = 0; b < inputs.size(); b++) {
      Derived in = inputs.get(b);
      List<String> items = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        if (columns.get(i) != null) {
          items.add(col("u", in.columns().get(i)) + " AS " + q(names.get(i)));
        }
      }
      List<IdColumn> idParts = new ArrayList<>(in.ids());
      if (counted) {
        for (int i = 0; i < names.size(); i++) {
          if (columns.get(i) != null) {
            idParts.add(new IdColumn(in.columns().get(i),
                union.getInputs().get(b).getRowType().getFieldList().get(i).getType(), i));
          }
        }
      }
      final int branch = b;
      items.add("'" + branch + ":' || " + RowId.text(idParts, id -> col("u", id.name()))
          + " AS " + q("__pgt_id0"));
      String list = SqlText.list(items, 7);
      posts.add("SELECT " + list + "\nFROM " + SqlText.sub(in.post()) + " AS " + q("u"));
      deltas.add("SELECT " + list + ",\n       " + col("u", DeltaContext.W) + "\nFROM "
          + q(in.delta()) + " AS " + q("u"));
    }
    IdColumn id = new IdColumn("__pgt_id0",
        ctx.typeFactory().createSqlType(SqlTypeName.VARCHAR), -1);
    String delta = ctx.cte("union_all", String.join("\nUNION ALL\n", deltas));
    return new Derived(columns, List.of(id), counted, String.join("\nUNION ALL\n", posts),
        delta, inputs.stream().allMatch(Derived::unitWeights));
  }
}
