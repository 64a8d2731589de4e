package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.col;
import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.emit.Expressions;
import io.pgtrickle.dvm.emit.SqlText;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * Inner join (equi or not, multi-way by nesting, self-joins included).
 *
 * <p>Z-set rule: bilinear. With base tables read in the refresh snapshot (post-batch state),
 * {@code Δ(L ⋈ R) = ΔL ⋈ R_post + L_post ⋈ ΔR − ΔL ⋈ ΔR}, weights multiplied. (From
 * {@code ΔL ⋈ R_pre + L_pre ⋈ ΔR + ΔL ⋈ ΔR} with {@code X_pre = X_post − ΔX}.) Deletes on both
 * sides in one batch are therefore exact. The first two terms probe the other side's current
 * contents by the join key (an index on it keeps this from scanning the source).
 *
 * <p>Identity: the pair (left identity, right identity) — or just the left one when the
 * condition equates every right identity column to a left column (a join on the right side's
 * key: each left row meets at most one right row), and symmetrically.
 */
final class JoinDelta {
  private JoinDelta() {}

  /** How one join's output is written: select lists over aliases l and r, and identity. */
  record Output(List<String> columns, List<IdColumn> ids, boolean counted, List<String> items,
      int leftCount) {}

  static Output output(Join join, Derived left, Derived right, ImmutableBitSet used) {
    int nl = join.getLeft().getRowType().getFieldCount();
    List<String> names = join.getRowType().getFieldNames();
    List<String> columns = new ArrayList<>();
    List<String> items = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String source = i < nl ? left.columns().get(i) : right.columns().get(i - nl);
      if (!used.get(i) || source == null) {
        columns.add(null);
        continue;
      }
      columns.add(names.get(i));
      items.add(col(i < nl ? "l" : "r", source) + " AS " + q(names.get(i)));
    }
    List<IdColumn> ids = new ArrayList<>();
    boolean counted;
    if (pins(join.getCondition(), right, nl, true)) {
      for (IdColumn id : left.ids()) {
        ids.add(id);
        items.add(col("l", id.name()));
      }
      counted = left.counted();
    } else if (pins(join.getCondition(), left, nl, false)) {
      for (IdColumn id : right.ids()) {
        ids.add(id.withField(id.field() < 0 ? -1 : id.field() + nl));
        items.add(col("r", id.name()));
      }
      counted = right.counted();
    } else {
      for (IdColumn id : left.ids()) {
        IdColumn out = id.renamed("__pgt_id" + ids.size());
        ids.add(out);
        items.add(col("l", id.name()) + " AS " + q(out.name()));
      }
      for (IdColumn id : right.ids()) {
        IdColumn out = id.renamed("__pgt_id" + ids.size())
            .withField(id.field() < 0 ? -1 : id.field() + nl);
        ids.add(out);
        items.add(col("r", id.name()) + " AS " + q(out.name()));
      }
      counted = left.counted() || right.counted();
    }
    return new Output(columns, ids, counted, items, nl);
  }

  /**
   * True when the condition's equalities pin every identity column of {@code side} to a column
   * of the other side, so the other side's identity determines the joined row.
   */
  static boolean pins(RexNode condition, Derived side, int nl, boolean sideIsRight) {
    if (side.counted() || side.ids().isEmpty()) {
      return false;
    }
    List<RexNode> conjuncts = RelOptUtil.conjunctions(condition);
    for (IdColumn id : side.ids()) {
      if (id.field() < 0) {
        return false;
      }
      int target = sideIsRight ? id.field() + nl : id.field();
      boolean found = false;
      for (RexNode c : conjuncts) {
        if (c.getKind() == SqlKind.EQUALS && c instanceof RexCall call
            && call.getOperands().get(0) instanceof RexInputRef a
            && call.getOperands().get(1) instanceof RexInputRef b) {
          int x = a.getIndex();
          int y = b.getIndex();
          boolean otherX = sideIsRight ? x < nl : x >= nl;
          boolean otherY = sideIsRight ? y < nl : y >= nl;
          if ((x == target && otherY) || (y == target && otherX)) {
            found = true;
            break;
          }
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  static List<String> fields(Derived left, Derived right) {
    List<String> f = new ArrayList<>(left.fieldsVia("l"));
    f.addAll(right.fieldsVia("r"));
    return f;
  }

  static Derived derive(Join join, Derived left, Derived right, ImmutableBitSet used,
      DeltaContext ctx) {
    Output out = output(join, left, right, used);
    String cond = Expressions.render(join.getCondition(), fields(left, right));
    String items = SqlText.list(out.items(), 7);
    String post = "SELECT " + items + "\nFROM " + SqlText.sub(left.post()) + " AS " + q("l")
        + "\nJOIN " + SqlText.sub(right.post()) + " AS " + q("r") + " ON " + cond;
    String w = q(DeltaContext.W);
    String delta = ctx.cte("join",
        "SELECT " + items + ",\n       " + col("l", DeltaContext.W) + " AS " + w
            + "\nFROM " + q(left.delta()) + " AS " + q("l")
            + "\nJOIN " + SqlText.sub(right.post()) + " AS " + q("r") + " ON " + cond
            + "\nUNION ALL\n"
            + "SELECT " + items + ",\n       " + col("r", DeltaContext.W) + " AS " + w
            + "\nFROM " + SqlText.sub(left.post()) + " AS " + q("l")
            + "\nJOIN " + q(right.delta()) + " AS " + q("r") + " ON " + cond
            + "\nUNION ALL\n"
            + "SELECT " + items + ",\n       -(" + col("l", DeltaContext.W) + " * "
            + col("r", DeltaContext.W) + ") AS " + w
            + "\nFROM " + q(left.delta()) + " AS " + q("l")
            + "\nJOIN " + q(right.delta()) + " AS " + q("r") + " ON " + cond);
    return new Derived(out.columns(), out.ids(), out.counted(), post, delta,
        left.unitWeights() && right.unitWeights());
  }
}
