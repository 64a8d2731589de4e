package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.col;
import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.emit.Expressions;
import io.pgtrickle.dvm.emit.SqlText;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * GROUP BY or DISTINCT below a join, a UNION ALL or a sub-query (an {@code IN (SELECT …)}
 * becomes one after decorrelation), where no stored state exists.
 *
 * <p>Z-set rule: for the groups G touched by ΔR,
 * {@code Δγ(R) = γ(R_post|G) − γ(R_pre|G)}, with {@code R_pre|G = R_post|G − ΔR} consolidated
 * (weights summed per row, rows with a positive sum kept, repeated by their weight). Every
 * aggregate is exact this way, at the cost of reading the touched groups of the input twice.
 * Identity: the group key.
 */
final class InnerAggregateDelta {
  private InnerAggregateDelta() {}

  static Derived derive(Aggregate agg, Derived in, ImmutableBitSet used, DeltaContext ctx) {
    List<Integer> keys = agg.getGroupSet().asList();
    List<String> names = agg.getRowType().getFieldNames();
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      // Group keys are always materialised: they are the identity.
      columns.add(i < keys.size() || used.get(i) ? names.get(i) : null);
    }
    List<IdColumn> ids = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      ids.add(new IdColumn("__pgt_id" + i, agg.getRowType().getFieldList().get(i).getType(), i));
    }

    String post = grouped(agg, in, columns, ids, SqlText.sub(in.post()) + " AS " + q("p"),
        null);

    // Touched groups.
    List<String> df = in.fieldsVia("d");
    String affected;
    if (keys.isEmpty()) {
      affected = ctx.cte("groups", "SELECT 1 AS " + q("__pgt_any") + "\nWHERE EXISTS (SELECT 1 FROM "
          + q(in.delta()) + ")");
    } else {
      List<String> k = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        k.add(df.get(keys.get(i)) + " AS " + q("k" + i));
      }
      affected = ctx.cte("groups", "SELECT DISTINCT " + String.join(", ", k) + "\nFROM "
          + q(in.delta()) + " AS " + q("d"));
    }
    String member = membership(agg, in, affected, "p");
    String postInGroups = "SELECT " + String.join(", ", in.passThrough("p")) + "\nFROM "
        + SqlText.sub(in.post()) + " AS " + q("p") + "\nWHERE " + member;
    // R_pre|G = R_post|G − ΔR, consolidated, positive rows repeated by their weight.
    List<String> cols = in.passThrough("z");
    List<String> ordinals = new ArrayList<>();
    for (int i = 1; i <= cols.size(); i++) {
      ordinals.add(Integer.toString(i));
    }
    String preZ = "SELECT " + String.join(", ", in.passThrough("p")) + ", 1 AS "
        + q(DeltaContext.W) + "\nFROM " + SqlText.sub(in.post()) + " AS " + q("p")
        + "\nWHERE " + member
        + "\nUNION ALL\nSELECT " + String.join(", ", in.passThrough("d")) + ", -"
        + col("d", DeltaContext.W) + "\nFROM " + q(in.delta()) + " AS " + q("d");
    String pre = ctx.cte("group_rows_pre_w", "SELECT " + String.join(", ", cols) + ", sum("
        + col("z", DeltaContext.W) + ") AS " + q(DeltaContext.W) + "\nFROM "
        + SqlText.sub(preZ) + " AS " + q("z") + "\nGROUP BY " + String.join(", ", ordinals)
        + "\nHAVING sum(" + col("z", DeltaContext.W) + ") > 0");
    String newGroups = grouped(agg, in, columns, ids, SqlText.sub(postInGroups) + " AS "
        + q("p"), null);
    String oldGroups = grouped(agg, in, columns, ids, q(pre) + " AS " + q("p")
        + " CROSS JOIN generate_series(1, " + col("p", DeltaContext.W) + ")", null);
    String delta = ctx.cte("group_change",
        "SELECT " + q("n") + ".*, 1::bigint AS " + q(DeltaContext.W) + "\nFROM "
            + SqlText.sub(newGroups) + " AS " + q("n")
            + "\nUNION ALL\nSELECT " + q("o") + ".*, -1::bigint\nFROM "
            + SqlText.sub(oldGroups) + " AS " + q("o"));
    return new Derived(columns, ids, false, post, delta, true);
  }

  /** {@code SELECT keys, aggregates, key ids FROM <from> GROUP BY keys}. */
  private static String grouped(Aggregate agg, Derived in, List<String> columns,
      List<IdColumn> ids, String from, String where) {
    List<Integer> keys = agg.getGroupSet().asList();
    List<String> pf = in.fieldsVia("p");
    List<String> items = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      items.add(pf.get(keys.get(i)) + " AS " + q(columns.get(i)));
    }
    List<AggregateCall> calls = agg.getAggCallList();
    for (int i = 0; i < calls.size(); i++) {
      String c = columns.get(keys.size() + i);
      if (c != null) {
        items.add(Expressions.render(calls.get(i), pf) + " AS " + q(c));
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      items.add(pf.get(keys.get(i)) + " AS " + q(ids.get(i).name()));
    }
    return "SELECT " + SqlText.list(items, 7) + "\nFROM " + from
        + (where == null ? "" : "\nWHERE " + where)
        + (keys.isEmpty() ? "" : "\nGROUP BY " + String.join(", ",
            keys.stream().map(pf::get).toList()));
  }

  /** The input row's group is among the touched ones (NULL keys matched as equal). */
  private static String membership(Aggregate agg, Derived in, String affected, String alias) {
    List<Integer> keys = agg.getGroupSet().asList();
    if (keys.isEmpty()) {
      return "EXISTS (SELECT 1 FROM " + q(affected) + ")";
    }
    List<String> f = in.fieldsVia(alias);
    boolean nullable = false;
    for (int i = 0; i < keys.size(); i++) {
      nullable |= agg.getInput().getRowType().getFieldList().get(keys.get(i)).getType()
          .isNullable();
    }
    if (!nullable) {
      List<String> refs = keys.stream().map(f::get).toList();
      return "(" + String.join(", ", refs) + ") IN (SELECT * FROM " + q(affected) + ")";
    }
    List<String> conds = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      conds.add(f.get(keys.get(i)) + " IS NOT DISTINCT FROM " + col("g", "k" + i));
    }
    return "EXISTS (SELECT 1 FROM " + q(affected) + " AS " + q("g") + " WHERE "
        + String.join(" AND ", conds) + ")";
  }
}
