package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.emit.Expressions;
import io.pgtrickle.dvm.emit.SqlText;
import org.apache.calcite.rel.core.Filter;

/**
 * WHERE.
 *
 * <p>Z-set rule: linear. {@code Δ(σ_p R) = σ_p(ΔR)}: each changed row keeps its weight if it
 * satisfies p in its own (old or new) version. A row updated across the predicate appears as
 * −old only or +new only, which is exactly the change. Identity: unchanged.
 */
final class FilterDelta {
  private FilterDelta() {}

  static Derived derive(Filter filter, Derived in, DeltaContext ctx) {
    String post = "SELECT " + q("f") + ".*\nFROM " + SqlText.sub(in.post()) + " AS " + q("f")
        + "\nWHERE " + Expressions.render(filter.getCondition(), in.fieldsVia("f"));
    String delta = ctx.cte("filter",
        "SELECT " + q("f") + ".*\nFROM " + q(in.delta()) + " AS " + q("f") + "\nWHERE "
            + Expressions.render(filter.getCondition(), in.fieldsVia("f")));
    return new Derived(in.columns(), in.ids(), in.counted(), post, delta, in.unitWeights());
  }
}
