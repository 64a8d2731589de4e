package io.pgtrickle.dvm.plan;

import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelShuttleImpl;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.sql2rel.RelDecorrelator;
import org.apache.calcite.sql2rel.RelFieldTrimmer;
import org.apache.calcite.tools.RelBuilder;

/**
 * The normalisation pipeline: a short list of named steps, each a small rule set run to a
 * fixed point. A step can be skipped by name (for tests and for bisecting a wrong plan).
 */
public final class RuleSteps {
  private RuleSteps() {}

  /** One named step. */
  public record Step(String name, UnaryOperator<RelNode> apply) {}

  public static List<Step> all() {
    return List.of(
        new Step("drop-order-by", RuleSteps::dropOrderBy),
        new Step("subqueries-to-joins", rel -> RelDecorrelator.decorrelateQuery(
            hep(rel, CoreRules.FILTER_SUB_QUERY_TO_CORRELATE,
                CoreRules.PROJECT_SUB_QUERY_TO_CORRELATE,
                CoreRules.JOIN_SUB_QUERY_TO_CORRELATE),
            RelBuilder.proto(org.apache.calcite.plan.Contexts.empty()).create(rel.getCluster(),
                null))),
        new Step("union-distinct-to-aggregate", rel -> hep(rel, CoreRules.UNION_TO_DISTINCT)),
        new Step("push-filters", rel -> hep(rel, CoreRules.FILTER_INTO_JOIN,
            CoreRules.JOIN_CONDITION_PUSH, CoreRules.FILTER_MERGE,
            CoreRules.FILTER_PROJECT_TRANSPOSE)),
        new Step("merge-projects", rel -> hep(rel, CoreRules.PROJECT_MERGE,
            CoreRules.PROJECT_REMOVE)),
        new Step("prune-columns", rel -> new RelFieldTrimmer(null,
            RelBuilder.proto(org.apache.calcite.plan.Contexts.empty())
                .create(rel.getCluster(), null)).trim(rel)),
        new Step("merge-projects-again", rel -> hep(rel, CoreRules.PROJECT_MERGE,
            CoreRules.PROJECT_REMOVE)));
  }

  /** Runs every step not named in {@code skip}. */
  public static RelNode run(RelNode rel, java.util.Set<String> skip) {
    RelNode r = rel;
    for (Step s : all()) {
      if (!skip.contains(s.name())) {
        r = s.apply().apply(r);
      }
    }
    return r;
  }

  private static RelNode hep(RelNode rel, RelOptRule... rules) {
    HepProgramBuilder b = HepProgram.builder().addMatchOrder(HepMatchOrder.BOTTOM_UP);
    for (RelOptRule r : rules) {
      b.addRuleInstance(r);
    }
    HepPlanner planner = new HepPlanner(b.build());
    planner.setRoot(rel);
    return planner.findBestExp();
  }

  /** ORDER BY without LIMIT/OFFSET means nothing for a stored set of rows. */
  private static RelNode dropOrderBy(RelNode rel) {
    return rel.accept(new RelShuttleImpl() {
      @Override
      public RelNode visit(LogicalSort sort) {
        RelNode input = sort.getInput().accept(this);
        if (sort.fetch == null && sort.offset == null) {
          return input;
        }
        return sort.copy(sort.getTraitSet(), List.of(input));
      }

      @Override
      public RelNode visit(RelNode other) {
        if (other instanceof Sort s && s.fetch == null && s.offset == null) {
          return s.getInput().accept(this);
        }
        return super.visit(other);
      }
    });
  }
}
