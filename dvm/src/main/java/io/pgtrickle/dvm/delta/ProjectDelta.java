package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.col;
import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.emit.Expressions;
import io.pgtrickle.dvm.emit.SqlText;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * SELECT list: expressions, CASE, casts, functions (deterministic ones: the planner sends
 * {@code now()}, {@code random()} … to FULL).
 *
 * <p>Z-set rule: linear. {@code Δ(π_f R) = π_f(ΔR)} with weights unchanged; duplicates that a
 * projection creates stay apart because the input identity travels along as hidden columns.
 */
final class ProjectDelta {
  private ProjectDelta() {}

  static Derived derive(Project project, Derived in, ImmutableBitSet used, DeltaContext ctx) {
    List<String> columns = new ArrayList<>();
    List<String> postItems = new ArrayList<>();
    List<String> deltaItems = new ArrayList<>();
    List<RexNode> exprs = project.getProjects();
    List<String> names = project.getRowType().getFieldNames();
    for (int i = 0; i < exprs.size(); i++) {
      if (!used.get(i)) {
        columns.add(null);
        continue;
      }
      String alias = names.get(i);
      columns.add(alias);
      postItems.add(Expressions.render(exprs.get(i), in.fieldsVia("p")) + " AS " + q(alias));
      deltaItems.add(Expressions.render(exprs.get(i), in.fieldsVia("p")) + " AS " + q(alias));
    }
    List<IdColumn> ids = new ArrayList<>();
    for (IdColumn id : in.ids()) {
      int field = -1;
      for (int i = 0; i < exprs.size() && id.field() >= 0; i++) {
        if (exprs.get(i) instanceof RexInputRef ref && ref.getIndex() == id.field()) {
          field = i;
          break;
        }
      }
      ids.add(id.withField(field));
      postItems.add(col("p", id.name()));
      deltaItems.add(col("p", id.name()));
    }
    deltaItems.add(col("p", DeltaContext.W));
    String post = "SELECT " + SqlText.list(postItems, 7) + "\nFROM " + SqlText.sub(in.post())
        + " AS " + q("p");
    String delta = ctx.cte("project", "SELECT " + SqlText.list(deltaItems, 7) + "\nFROM "
        + q(in.delta()) + " AS " + q("p"));
    return new Derived(columns, ids, in.counted(), post, delta, in.unitWeights());
  }
}
