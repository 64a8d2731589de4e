package io.pgtrickle.dvm.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Intersect;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.Minus;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.core.Union;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rel.core.Window;
import io.pgtrickle.dvm.catalog.Catalog;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexVisitorImpl;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSyntax;
import org.apache.calcite.sql.SqlUnresolvedFunction;
import org.apache.calcite.sql.type.SqlTypeUtil;

/**
 * Decides whether a normalised query can be maintained differentially, and if not, says why in
 * words a user can act on.
 */
final class Support {
  private Support() {}

  /** Functions whose value changes between refreshes without any source change. */
  private static final Set<String> VOLATILE = Set.of("now", "random", "random_normal",
      "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday",
      "gen_random_uuid", "uuid_generate_v4", "nextval", "currval", "lastval", "setval",
      "current_timestamp", "current_date", "current_time", "localtime", "localtimestamp",
      "txid_current", "pg_current_xact_id", "rand", "uuidv4", "uuidv7");

  /** Date and time input strings PostgreSQL reads as the current time when the cast runs. */
  private static final Set<String> CURRENT_TIME_LITERALS = Set.of("now", "today", "tomorrow", "yesterday");

  /**
   * Why the value of this call can change between two refreshes while every table the query reads
   * stays the same, in words a user can act on; null when it cannot.
   */
  static String changesOnItsOwn(RexCall call, Catalog catalog) {
    String name = call.getOperator().getName().toLowerCase(Locale.ROOT);
    if (call.getOperator() instanceof SqlUnresolvedFunction) {
      // a function the planner does not know: one of the database's own (a user function, an extension's)
      // must be IMMUTABLE, since a STABLE one may read other tables, whose changes are not captured;
      // PostgreSQL's built-ins it does not know are taken as they always were
      if (catalog.userFunctionMayChange(call.getOperator().getName())) {
        return call.getOperator().getName() + "() is not IMMUTABLE: it may read other tables or settings, so "
            + "rows would go stale without any change to the query's tables; declare it IMMUTABLE if its value "
            + "depends on its arguments alone, or use refreshMode FULL";
      }
    }
    String shadowed = userFunctionNamed(call.getOperator(), catalog);
    if (shadowed != null) {
      return shadowed;
    }
    if (call.getKind() == SqlKind.CAST && call.getOperands().get(0) instanceof RexLiteral lit
        && SqlTypeUtil.isCharacter(lit.getType()) && SqlTypeUtil.isDatetime(call.getType())) {
      String text = lit.getValueAs(String.class);
      if (text != null && CURRENT_TIME_LITERALS.contains(text.strip().toLowerCase(Locale.ROOT))) {
        return "'" + text + "' as a date or time is the time of the refresh, so rows would go stale without any "
            + "source change; compare against a stored timestamp column instead, or use refreshMode FULL";
      }
    }
    boolean ageFromToday = name.equals("age") && call.getOperands().size() == 1;
    if (VOLATILE.contains(name) || ageFromToday || call.getOperator().isDynamicFunction()
        || !call.getOperator().isDeterministic()) {
      return name + "() gives a different value at every refresh, so rows would go stale without any source "
          + "change; compare against a stored timestamp column instead, or use refreshMode FULL";
    }
    return null;
  }

  /**
   * For a function (or aggregate) the planner knows by name: the reason not to trust that when the
   * database has a function of its own of that name that is not IMMUTABLE (PostgreSQL calls it
   * where it has no built-in of the name), else null.
   */
  private static String userFunctionNamed(SqlOperator op, Catalog catalog) {
    if (op.getKind() == SqlKind.SEARCH || op.getName().startsWith("$") || op.getName().startsWith("__pgt_")) {
      return null; // the planner's own operators (x IN (…) and ranges become SEARCH), not names PostgreSQL sees
    }
    SqlSyntax syntax = op.getSyntax();
    if (syntax != SqlSyntax.FUNCTION && syntax != SqlSyntax.FUNCTION_STAR && syntax != SqlSyntax.FUNCTION_ID
        && syntax != SqlSyntax.ORDERED_FUNCTION) {
      return null;
    }
    String name = op.getName().toLowerCase(Locale.ROOT);
    return catalog.userFunctionMayChange(name)
        ? name + "() is also a function of this database that is not IMMUTABLE, which PostgreSQL may call"
            + " instead of the built-in: rows could go stale without any change to the query's tables;"
            + " rename it, declare it IMMUTABLE if its value depends on its arguments alone, or use"
            + " refreshMode FULL"
        : null;
  }

  /**
   * A function the planner does not know that PostgreSQL does not have as IMMUTABLE: a STABLE built-in
   * ({@code current_setting}, {@code has_table_privilege}) is maintained DIFFERENTIAL as before, but a
   * FULL stream table does not skip a refresh over it.
   */
  private static boolean unknownAndNotImmutable(RexCall call, Catalog catalog) {
    return call.getOperator() instanceof SqlUnresolvedFunction
        && !catalog.immutableFunction(call.getOperator().getName());
  }

  /** The first reason an aggregate call of {@code a} can change on its own, or null. */
  private static String aggregateChanges(Aggregate a, Catalog catalog) {
    for (AggregateCall call : a.getAggCallList()) {
      String why = userFunctionNamed(call.getAggregation(), catalog);
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  /**
   * Whether the query's result is a function of the contents of the tables it scans, and nothing
   * else: no call that {@link #changesOnItsOwn changes on its own}, no sub-query left in an
   * expression (its tables are not among the scans), no table function. This is what DIFFERENTIAL
   * maintenance relies on; for a query maintained in FULL it means a refresh whose sources did not
   * change has nothing to recompute.
   */
  static boolean readsOnlyItsTables(RelNode node, Catalog catalog) {
    boolean[] ok = {node instanceof TableScan || node instanceof Project || node instanceof Filter
        || node instanceof Join || node instanceof Aggregate || node instanceof Union
        || node instanceof Intersect || node instanceof Minus || node instanceof Sort
        || node instanceof Window || node instanceof Correlate || node instanceof Values};
    node.accept(new RexShuttle() {
      @Override
      public RexNode visitCall(RexCall call) {
        if (changesOnItsOwn(call, catalog) != null || unknownAndNotImmutable(call, catalog)) {
          ok[0] = false;
        }
        return super.visitCall(call);
      }

      @Override
      public RexNode visitOver(RexOver over) {
        // the shuttle visits a window call's operands and window, not the call itself
        if (changesOnItsOwn(over, catalog) != null) {
          ok[0] = false;
        }
        return super.visitOver(over);
      }

      @Override
      public RexNode visitSubQuery(RexSubQuery subQuery) {
        ok[0] = false;
        return subQuery;
      }
    });
    if (node instanceof Aggregate a && aggregateChanges(a, catalog) != null) {
      ok[0] = false;
    }
    if (node instanceof Window w) {
      for (Window.Group g : w.groups) {
        for (Window.RexWinAggCall call : g.aggCalls) {
          ok[0] &= changesOnItsOwn(call, catalog) == null;
        }
      }
    }
    for (RelNode in : node.getInputs()) {
      ok[0] &= readsOnlyItsTables(in, catalog);
    }
    return ok[0];
  }

  static List<String> reasons(RelNode root, List<String> outputNames, Catalog catalog) {
    Set<String> out = new LinkedHashSet<>();
    for (String n : outputNames) {
      if (n.startsWith("__pgt_")) {
        out.add("output column " + n + " uses the reserved prefix __pgt_; rename it");
      }
    }
    // Aggregates are maintained at the top of the query only (under projections and HAVING).
    RelNode n = root;
    while (n instanceof Project || n instanceof Filter) {
      visitExpressions(n, out, catalog);
      n = n.getInput(0);
    }
    if (n instanceof Aggregate a) {
      checkAggregate(a, out, catalog);
      walk(a.getInput(), out, catalog);
    } else {
      walk(n, out, catalog);
    }
    return new ArrayList<>(out);
  }

  private static void checkAggregate(Aggregate a, Set<String> out, Catalog catalog) {
    String changing = aggregateChanges(a, catalog);
    if (changing != null) {
      out.add(changing);
    }
    if (a.getGroupType() != Aggregate.Group.SIMPLE) {
      out.add("GROUPING SETS, ROLLUP and CUBE are not maintained incrementally; use one "
          + "stream table per grouping");
    }
  }

  private static void walk(RelNode node, Set<String> out, Catalog catalog) {
    visitExpressions(node, out, catalog);
    if (node instanceof TableScan || node instanceof Project || node instanceof Filter) {
      // fine
    } else if (node instanceof Join j) {
      if (j.getJoinType() == JoinRelType.SEMI || j.getJoinType() == JoinRelType.ANTI) {
        out.add("EXISTS / IN (sub-query) filters are not maintained incrementally yet; write "
            + "them as joins, or use refreshMode FULL");
      } else if (j.getJoinType() == JoinRelType.ASOF || j.getJoinType() == JoinRelType.LEFT_ASOF) {
        out.add("ASOF joins are not maintained incrementally");
      }
    } else if (node instanceof Aggregate a) {
      checkAggregate(a, out, catalog);
    } else if (node instanceof Union u) {
      if (!u.all) {
        out.add("UNION (without ALL) could not be rewritten; use UNION ALL or DISTINCT");
      }
    } else if (node instanceof Intersect || node instanceof Minus) {
      out.add("INTERSECT and EXCEPT are not maintained incrementally yet; express them with "
          + "joins, or use refreshMode FULL");
    } else if (node instanceof Sort) {
      out.add("LIMIT / OFFSET (top-k) is not maintained incrementally; drop the LIMIT or use "
          + "refreshMode FULL");
    } else if (node instanceof Window) {
      out.add("window functions (OVER …) are not maintained incrementally yet; use "
          + "refreshMode FULL");
    } else if (node instanceof Correlate) {
      out.add("LATERAL / correlated sub-queries are not maintained incrementally yet; write "
          + "them as joins, or use refreshMode FULL");
    } else if (node instanceof Values) {
      out.add("the query reads no table (VALUES or constants only): nothing to maintain");
    } else {
      out.add("the operator " + node.getRelTypeName() + " is not maintained incrementally");
    }
    for (RelNode in : node.getInputs()) {
      walk(in, out, catalog);
    }
  }

  private static void visitExpressions(RelNode node, Set<String> out, Catalog catalog) {
    List<RexNode> exprs = new ArrayList<>();
    if (node instanceof Project p) {
      exprs.addAll(p.getProjects());
    } else if (node instanceof Filter f) {
      exprs.add(f.getCondition());
    } else if (node instanceof Join j) {
      exprs.add(j.getCondition());
    }
    for (RexNode e : exprs) {
      e.accept(new RexVisitorImpl<Void>(true) {
        @Override
        public Void visitCall(RexCall call) {
          if (call instanceof RexOver) {
            out.add("window functions (OVER …) are not maintained incrementally yet; use "
                + "refreshMode FULL");
          } else {
            String changing = changesOnItsOwn(call, catalog);
            if (changing != null) {
              out.add(changing);
            }
          }
          return super.visitCall(call);
        }

        @Override
        public Void visitSubQuery(RexSubQuery subQuery) {
          out.add("this sub-query in an expression could not be turned into a join; write it "
              + "as a join, or use refreshMode FULL");
          return null;
        }
      });
    }
  }
}
