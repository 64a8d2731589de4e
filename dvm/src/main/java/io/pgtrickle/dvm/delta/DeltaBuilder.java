package io.pgtrickle.dvm.delta;

import io.pgtrickle.dvm.catalog.CatalogTable;
import io.pgtrickle.dvm.parse.CatalogSchema;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.core.Union;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * Walks the operator tree once, bottom-up, memoised per node (a sub-plan shared by two parents
 * is derived once), and hands each operator to its delta rule.
 */
public final class DeltaBuilder {
  private final DeltaContext ctx;
  private final RelDataTypeFactory tf;
  private final Map<RelNode, ImmutableBitSet> used = new IdentityHashMap<>();
  private final Map<RelNode, Derived> done = new IdentityHashMap<>();

  public DeltaBuilder(DeltaContext ctx, RelDataTypeFactory tf) {
    this.ctx = ctx;
    this.tf = tf;
  }

  /** Computes which output fields of every node somebody reads, from the root down. */
  public void analyse(RelNode root) {
    require(root, ImmutableBitSet.range(root.getRowType().getFieldCount()));
  }

  private void require(RelNode node, ImmutableBitSet fields) {
    ImmutableBitSet before = used.get(node);
    ImmutableBitSet now = before == null ? fields : before.union(fields);
    if (now.equals(before)) {
      return;
    }
    used.put(node, now);
    if (node instanceof Project p) {
      ImmutableBitSet.Builder b = ImmutableBitSet.builder();
      for (int i : now) {
        b.addAll(RelOptUtil.InputFinder.bits(p.getProjects().get(i)));
      }
      require(p.getInput(), b.build());
    } else if (node instanceof Filter f) {
      require(f.getInput(), now.union(RelOptUtil.InputFinder.bits(f.getCondition())));
    } else if (node instanceof Join j) {
      int nl = j.getLeft().getRowType().getFieldCount();
      int nr = j.getRight().getRowType().getFieldCount();
      ImmutableBitSet all = now.union(RelOptUtil.InputFinder.bits(j.getCondition()));
      require(j.getLeft(), all.intersect(ImmutableBitSet.range(nl)));
      require(j.getRight(), all.intersect(ImmutableBitSet.range(nl, nl + nr)).shift(-nl));
    } else if (node instanceof Aggregate a) {
      ImmutableBitSet.Builder b = ImmutableBitSet.builder();
      b.addAll(a.getGroupSet());
      for (AggregateCall c : a.getAggCallList()) {
        b.addAll(c.getArgList());
        if (c.filterArg >= 0) {
          b.set(c.filterArg);
        }
        c.collation.getFieldCollations().forEach(fc -> b.set(fc.getFieldIndex()));
        if (c.rexList != null) {
          for (RexNode r : c.rexList) {
            b.addAll(RelOptUtil.InputFinder.bits(r));
          }
        }
      }
      require(a.getInput(), b.build());
    } else if (node instanceof Union u) {
      for (RelNode in : u.getInputs()) {
        require(in, now);
      }
    } else {
      for (RelNode in : node.getInputs()) {
        require(in, ImmutableBitSet.range(in.getRowType().getFieldCount()));
      }
    }
  }

  public ImmutableBitSet used(RelNode node) {
    return used.getOrDefault(node, ImmutableBitSet.of());
  }

  /** The SQL of a node (an aggregate at the top goes to {@link #deriveAggregate} instead). */
  public Derived derive(RelNode node) {
    Derived d = done.get(node);
    if (d != null) {
      return d;
    }
    if (node instanceof TableScan scan) {
      CatalogTable table = scan.getTable().unwrap(CatalogSchema.CatalogBackedTable.class)
          .catalogTable();
      d = ScanDelta.derive(scan, table, used(node), ctx, tf);
    } else if (node instanceof Filter f) {
      d = FilterDelta.derive(f, derive(f.getInput()), ctx);
    } else if (node instanceof Project p) {
      d = ProjectDelta.derive(p, derive(p.getInput()), used(node), ctx);
    } else if (node instanceof Join j && j.getJoinType() == JoinRelType.INNER) {
      d = JoinDelta.derive(j, derive(j.getLeft()), derive(j.getRight()), used(node), ctx);
    } else if (node instanceof Join j) {
      d = OuterJoinDelta.derive(j, derive(j.getLeft()), derive(j.getRight()), used(node), ctx);
    } else if (node instanceof Aggregate a) {
      d = InnerAggregateDelta.derive(a, derive(a.getInput()), used(node), ctx);
    } else if (node instanceof Union u && u.all) {
      d = UnionAllDelta.derive(u, u.getInputs().stream().map(this::derive).toList(),
          used(node), ctx);
    } else {
      throw new IllegalStateException("no delta rule for " + node.getRelTypeName());
    }
    done.put(node, d);
    return d;
  }

  public AggregateDeltaResult deriveAggregate(Aggregate agg, List<RelNode> above,
      List<String> rootNames) {
    return AggregateDelta.derive(agg, above, rootNames, derive(agg.getInput()), ctx);
  }
}
