package io.pgtrickle.dvm.plan;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexVisitorImpl;

/**
 * Finds a correlated sub-query (or {@code LATERAL} sub-query) that aggregates, in the query as
 * converted, before decorrelation. Calcite's decorrelator rewrites such a sub-query into a join
 * with the aggregate grouped by the correlation columns, which loses the outer rows whose group is
 * empty (the "count bug": {@code count(*)} over no rows is one row with 0, not no row), or throws an
 * {@code AssertionError}, depending on the schema's NOT NULL constraints. Until the engine has a
 * delta rule of its own for these (one that keeps the outer rows), such a query is maintained in
 * FULL, from the user's text.
 */
final class CorrelatedAggregates {
  private CorrelatedAggregates() {}

  /** The reason such a query is maintained in FULL, or null when it has no such sub-query. */
  static String reason(RelNode root) {
    return find(root) ? "a correlated or LATERAL sub-query with an aggregate is not maintained"
        + " incrementally yet (decorrelating it would lose the outer rows whose group is empty);"
        + " PostgreSQL runs it as written with FULL refreshes" : null;
  }

  private static boolean find(RelNode node) {
    if (node instanceof Correlate c && containsAggregate(c.getRight())) {
      return true;
    }
    for (RexSubQuery sub : subQueries(node)) {
      if (!RelOptUtil.getVariablesUsed(sub.rel).isEmpty() && containsAggregate(sub.rel)) {
        return true;
      }
      if (find(sub.rel)) {
        return true;
      }
    }
    for (RelNode in : node.getInputs()) {
      if (find(in)) {
        return true;
      }
    }
    return false;
  }

  private static boolean containsAggregate(RelNode node) {
    if (node instanceof Aggregate) {
      return true;
    }
    for (RexSubQuery sub : subQueries(node)) {
      if (containsAggregate(sub.rel)) {
        return true;
      }
    }
    for (RelNode in : node.getInputs()) {
      if (containsAggregate(in)) {
        return true;
      }
    }
    return false;
  }

  private static List<RexSubQuery> subQueries(RelNode node) {
    List<RexNode> exprs = new ArrayList<>();
    if (node instanceof Project p) {
      exprs.addAll(p.getProjects());
    } else if (node instanceof Filter f) {
      exprs.add(f.getCondition());
    } else if (node instanceof Join j) {
      exprs.add(j.getCondition());
    }
    List<RexSubQuery> out = new ArrayList<>();
    for (RexNode e : exprs) {
      e.accept(new RexVisitorImpl<Void>(true) {
        @Override
        public Void visitSubQuery(RexSubQuery subQuery) {
          out.add(subQuery);
          return super.visitSubQuery(subQuery);
        }
      });
    }
    return out;
  }
}
