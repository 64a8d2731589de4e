package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.col;
import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.emit.Expressions;
import io.pgtrickle.dvm.emit.SqlText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * GROUP BY (and DISTINCT, which is a GROUP BY without aggregates) at the top of the query, with
 * the projections and HAVING above it.
 *
 * <p>Z-set rule: the change of the input, {@code ΔR}, is grouped by the group key; every group
 * it touches gets a new state, every other group keeps its row. Each storage row holds the
 * group's state in hidden columns:
 * <ul>
 *   <li>{@code __pgt_count} = Σ weights (the group's row count; the group exists while > 0);
 *   <li>COUNT(x): Σ w over rows with x non-null; SUM(x) and AVG(x): Σ x·w and the non-null count
 *       (SUM of nothing is NULL, AVG = sum / count); BOOL_AND/BOOL_OR: non-null count and count
 *       of true. These are algebraic: new = old + Δ, no source read.
 *   <li>MIN/MAX: the current value. Insert-only changes give least(old, min of inserted); a
 *       deleted value at or beyond the current extremum recomputes that group from the input.
 *   <li>everything else (COUNT(DISTINCT), STRING_AGG, ARRAY_AGG, …): the affected groups are
 *       recomputed from the input's current contents, other groups are not read.
 * </ul>
 * With HAVING, a group absent from storage may exist but fail the condition; such groups are
 * recomputed too. FILTER (WHERE …) clauses restrict each state to the rows that pass.
 */
final class AggregateDelta {
  private AggregateDelta() {}


  enum Kind { COUNT_STAR, COUNT, SUM, AVG, BOOL_AND, BOOL_OR, MIN, MAX, RECOMPUTE }

  /** One aggregate call and its hidden state columns. */
  record State(AggregateCall call, Kind kind, List<String> columns, RelDataType argType) {}

  static Kind kindOf(AggregateCall call) {
    String name = call.getAggregation().getName().toUpperCase(Locale.ROOT);
    if (call.isDistinct() || call.isApproximate() || !call.collation.getFieldCollations().isEmpty()
        || call.rexList != null && !call.rexList.isEmpty()) {
      return Kind.RECOMPUTE;
    }
    switch (name) {
      case "BOOL_AND":
      case "EVERY":
        return Kind.BOOL_AND;
      case "BOOL_OR":
        return Kind.BOOL_OR;
      default:
        break;
    }
    SqlKind k = call.getAggregation().getKind();
    switch (k) {
      case COUNT:
        return call.getArgList().isEmpty() ? Kind.COUNT_STAR
            : call.getArgList().size() == 1 ? Kind.COUNT : Kind.RECOMPUTE;
      case SUM:
      case SUM0:
        return name.equals("SUM") ? Kind.SUM : Kind.RECOMPUTE;
      case AVG:
        return Kind.AVG;
      case MIN:
        return Kind.MIN;
      case MAX:
        return Kind.MAX;
      default:
        return Kind.RECOMPUTE;
    }
  }

  static List<State> states(Aggregate agg) {
    List<State> out = new ArrayList<>();
    List<AggregateCall> calls = agg.getAggCallList();
    for (int i = 0; i < calls.size(); i++) {
      AggregateCall c = calls.get(i);
      RelDataType argType = c.getArgList().isEmpty() ? null
          : agg.getInput().getRowType().getFieldList().get(c.getArgList().get(0)).getType();
      Kind kind = kindOf(c);
      if ((kind == Kind.SUM || kind == Kind.AVG) && argType != null
          && io.pgtrickle.dvm.parse.PgTypes.isUnconstrainedNumeric(argType)) {
        // PostgreSQL's sum of numerics has the largest scale among the values summed now: a value leaving the
        // group can lower it, which old + change cannot know (37.00000000000000000000 where PostgreSQL gives
        // 37.0000000000000000, a different text). The groups a batch touches are recomputed instead.
        kind = Kind.RECOMPUTE;
      }
      String p = "__pgt_a" + i;
      List<String> cols = switch (kind) {
        case COUNT_STAR -> c.filterArg < 0 ? List.of() : List.of(p);
        case COUNT, MIN, MAX, RECOMPUTE -> List.of(p);
        case SUM, AVG -> List.of(p + "_sum", p + "_nn");
        case BOOL_AND, BOOL_OR -> List.of(p + "_nn", p + "_true");
      };
      if (kind == Kind.COUNT_STAR && c.filterArg >= 0) {
        kind = Kind.COUNT;
      }
      out.add(new State(c, kind, cols, argType));
    }
    return out;
  }

  static AggregateDeltaResult derive(Aggregate agg, List<RelNode> above, List<String> rootNames, Derived in,
      DeltaContext ctx) {
    List<Integer> keys = agg.getGroupSet().asList();
    List<String> keyNames = agg.getRowType().getFieldNames().subList(0, keys.size());
    List<State> states = states(agg);
    boolean having = above.stream().anyMatch(n -> n instanceof Filter);
    boolean anyRecompute = states.stream().anyMatch(s -> s.kind == Kind.RECOMPUTE);
    boolean anyMinMax = states.stream().anyMatch(s -> s.kind == Kind.MIN || s.kind == Kind.MAX);
    List<String> hidden = new ArrayList<>();
    hidden.add("__pgt_count");
    for (State s : states) {
      hidden.addAll(s.columns);
    }
    List<IdColumn> keyIds = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      keyIds.add(new IdColumn(keyNames.get(i), agg.getRowType().getFieldList().get(i).getType(),
          i));
    }
    String rowIdOverN = RowId.expr(keyIds, id -> col("n", id.name()));

    // ---- initial load: group the input's contents
    List<String> pf = in.fieldsVia("p");
    List<String> loadItems = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      loadItems.add(pf.get(keys.get(i)) + " AS " + q(keyNames.get(i)));
    }
    loadItems.add("count(*) AS " + q("__pgt_count"));
    loadItems.addAll(loadStates(states, pf));
    String grouped = "SELECT " + SqlText.list(loadItems, 7) + "\nFROM " + SqlText.sub(in.post())
        + " AS " + q("p")
        + (keys.isEmpty() ? "" : "\nGROUP BY " + String.join(", ",
            keys.stream().map(pf::get).toList()));
    Top top = top(agg, above, keyNames, states);
    String storageSelect = "SELECT " + SqlText.list(top.items(rootNames, rowIdOverN, hidden), 7)
        + "\nFROM " + SqlText.sub(grouped) + " AS " + q("n")
        + "\nWHERE " + top.keep(keys.isEmpty());

    // ---- refresh: group the change, merge with the stored state
    String inDelta = in.delta();
    if (anyMinMax) {
      inDelta = consolidate(in, ctx);
    }
    List<String> df = in.fieldsVia("d");
    List<String> dItems = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      dItems.add(df.get(keys.get(i)) + " AS " + q(keyNames.get(i)));
    }
    List<IdColumn> dKeyIds = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      dKeyIds.add(keyIds.get(i));
    }
    List<String> dKeyRefs = keys.stream().map(df::get).toList();
    dItems.add(RowId.expr(dKeyIds, id -> dKeyRefs.get(keyIds.indexOf(id))) + " AS "
        + q("__pgt_row_id"));
    // MIN/MAX consolidate the change first, which sums weights: then they are no longer ±1.
    boolean unit = in.unitWeights() && !anyMinMax;
    dItems.add(DeltaContext.weightSum("d", unit) + " AS " + q("__pgt_count"));
    dItems.addAll(deltaStates(states, df, unit));
    String dagg = ctx.cte("agg_delta", "SELECT " + SqlText.list(dItems, 7) + "\nFROM "
        + q(inDelta) + " AS " + q("d")
        + (keys.isEmpty() ? "\nHAVING count(*) > 0"
            : "\nGROUP BY " + String.join(", ", dKeyRefs)));

    List<String> needs = new ArrayList<>();
    if (anyRecompute) {
      needs.add("true");
    } else {
      if (having) {
        needs.add(col("t", "__pgt_row_id") + " IS NULL");
      }
      for (State s : states) {
        if (s.kind == Kind.MIN || s.kind == Kind.MAX) {
          String del = col("d", s.columns.get(0) + "_del");
          needs.add(del + (s.kind == Kind.MIN ? " <= " : " >= ") + col("t", s.columns.get(0)));
        }
      }
    }
    String needsRecompute = needs.isEmpty() ? null
        : needs.size() == 1 ? needs.get(0) : "(" + String.join(" OR ", needs) + ")";
    List<String> nItems = new ArrayList<>();
    for (String k : keyNames) {
      nItems.add(col("d", k));
    }
    nItems.add(col("d", "__pgt_row_id"));
    List<String> merged = new ArrayList<>();
    merged.add("coalesce(" + col("t", "__pgt_count") + ", 0) + " + col("d", "__pgt_count"));
    merged.addAll(mergeStates(states));
    for (int i = 0; i < hidden.size(); i++) {
      String m = merged.get(i);
      String v = needsRecompute == null ? m
          : anyRecompute ? col("r", hidden.get(i))
          : "CASE WHEN " + needsRecompute + " THEN " + col("r", hidden.get(i)) + " ELSE " + m
              + " END";
      nItems.add(v + " AS " + q(hidden.get(i)));
    }
    StringBuilder newState = new StringBuilder("SELECT " + SqlText.list(nItems, 7) + "\nFROM "
        + q(dagg) + " AS " + q("d") + "\nLEFT JOIN " + DeltaContext.STORAGE + " AS " + q("t")
        + " ON " + col("t", "__pgt_row_id") + " = " + col("d", "__pgt_row_id"));
    if (needsRecompute != null) {
      List<String> rItems = new ArrayList<>();
      rItems.add("count(*) AS " + q("__pgt_count"));
      rItems.addAll(loadStates(states, pf));
      List<String> match = new ArrayList<>();
      if (!needsRecompute.equals("true")) {
        match.add(needsRecompute);
      }
      for (int i = 0; i < keys.size(); i++) {
        boolean nullable = keyIds.get(i).nullable();
        match.add(pf.get(keys.get(i)) + (nullable ? " IS NOT DISTINCT FROM " : " = ")
            + col("d", keyNames.get(i)));
      }
      String recompute = "SELECT " + SqlText.list(rItems, 7) + "\nFROM "
          + SqlText.sub(in.post()) + " AS " + q("p")
          + (match.isEmpty() ? "" : "\nWHERE " + String.join("\n  AND ", match));
      newState.append("\nLEFT JOIN LATERAL ").append(SqlText.sub(recompute)).append(" AS ")
          .append(q("r")).append(" ON true");
    }
    String nw = ctx.cte("agg_new", newState.toString());
    List<String> applyItems = new ArrayList<>(top.items(rootNames, col("n", "__pgt_row_id"),
        hidden));
    applyItems.add(top.keep(keys.isEmpty()) + " AS " + q("__pgt_keep"));
    String apply = ctx.cte("agg_apply", "SELECT " + SqlText.list(applyItems, 7) + "\nFROM "
        + q(nw) + " AS " + q("n"));
    return new AggregateDeltaResult(rootNames, hidden, storageSelect, apply);
  }

  /** A change relation with equal rows' weights summed and zero-weight rows dropped. */
  static String consolidate(Derived in, DeltaContext ctx) {
    List<String> cols = in.passThrough("d");
    List<String> groups = new ArrayList<>();
    for (int i = 1; i <= cols.size(); i++) {
      groups.add(Integer.toString(i));
    }
    String sum = DeltaContext.weightSum("d", in.unitWeights());
    return ctx.cte("consolidate", "SELECT " + SqlText.list(cols, 7) + ",\n       " + sum
        + " AS " + q(DeltaContext.W) + "\nFROM " + q(in.delta()) + " AS " + q("d")
        + "\nGROUP BY " + String.join(", ", groups) + "\nHAVING " + sum + " <> 0");
  }

  // ---------------------------------------------------------------- state expressions

  private static String arg(State s, List<String> f) {
    return f.get(s.call.getArgList().get(0));
  }

  private static String filter(State s, List<String> f) {
    return s.call.filterArg < 0 ? null : f.get(s.call.filterArg);
  }

  private static String when(String... conds) {
    List<String> c = new ArrayList<>();
    for (String x : conds) {
      if (x != null) {
        c.add(x);
      }
    }
    return String.join(" AND ", c);
  }

  /** Aggregates over the input's rows (alias p) that compute each state from scratch. */
  static List<String> loadStates(List<State> states, List<String> f) {
    List<String> out = new ArrayList<>();
    for (State s : states) {
      String flt = filter(s, f);
      String filterClause = flt == null ? "" : " FILTER (WHERE " + flt + ")";
      switch (s.kind) {
        case COUNT_STAR -> { }
        case COUNT -> out.add((s.call.getArgList().isEmpty() ? "count(*)"
            : "count(" + arg(s, f) + ")") + filterClause + " AS " + q(s.columns.get(0)));
        case SUM, AVG -> {
          out.add("sum(" + arg(s, f) + ")" + filterClause + " AS " + q(s.columns.get(0)));
          out.add("count(" + arg(s, f) + ")" + filterClause + " AS " + q(s.columns.get(1)));
        }
        case BOOL_AND, BOOL_OR -> {
          out.add("count(" + arg(s, f) + ")" + filterClause + " AS " + q(s.columns.get(0)));
          out.add("count(*) FILTER (WHERE " + when(arg(s, f), flt) + ") AS "
              + q(s.columns.get(1)));
        }
        case MIN -> out.add("min(" + arg(s, f) + ")" + filterClause + " AS "
            + q(s.columns.get(0)));
        case MAX -> out.add("max(" + arg(s, f) + ")" + filterClause + " AS "
            + q(s.columns.get(0)));
        case RECOMPUTE -> out.add(Expressions.render(s.call, f) + " AS " + q(s.columns.get(0)));
      }
    }
    return out;
  }

  /**
   * Aggregates over the change (alias d, weight __pgt_w) giving each state's increment. With
   * weights of ±1 ({@code unit}), a numeric sum is the inserted rows' sum minus the deleted rows'
   * (no multiplication, no cast of the weight per row).
   */
  private static List<String> deltaStates(List<State> states, List<String> f, boolean unit) {
    List<String> out = new ArrayList<>();
    String w = col("d", DeltaContext.W);
    for (State s : states) {
      String flt = filter(s, f);
      switch (s.kind) {
        case COUNT_STAR, RECOMPUTE -> { }
        case COUNT -> out.add("sum(CASE WHEN " + (s.call.getArgList().isEmpty()
            ? flt : when(arg(s, f) + " IS NOT NULL", flt)) + " THEN " + w + " ELSE 0 END)::bigint"
            + " AS " + q(s.columns.get(0)));
        case SUM, AVG -> {
          String x = arg(s, f);
          RelDataType t = argType(s);
          if (unit && SqlTypeFamily.NUMERIC.getTypeNames().contains(t.getSqlTypeName())) {
            out.add("coalesce(sum(" + x + ") FILTER (WHERE " + when(w + " > 0", flt) + "), 0)"
                + "\n         - coalesce(sum(" + x + ") FILTER (WHERE " + when(w + " < 0", flt)
                + "), 0) AS " + q(s.columns.get(0)));
          } else {
            if (t.getSqlTypeName() == SqlTypeName.BIGINT) {
              x = x + "::numeric";
            }
            out.add("sum(" + (flt == null ? x + " * " + w
                : "CASE WHEN " + flt + " THEN " + x + " * " + w + " END") + ") AS "
                + q(s.columns.get(0)));
          }
          out.add("sum(CASE WHEN " + when(arg(s, f) + " IS NOT NULL", flt) + " THEN " + w
              + " ELSE 0 END)::bigint AS " + q(s.columns.get(1)));
        }
        case BOOL_AND, BOOL_OR -> {
          out.add("sum(CASE WHEN " + when(arg(s, f) + " IS NOT NULL", flt) + " THEN " + w
              + " ELSE 0 END)::bigint AS " + q(s.columns.get(0)));
          out.add("sum(CASE WHEN " + when(arg(s, f), flt) + " THEN " + w
              + " ELSE 0 END)::bigint AS " + q(s.columns.get(1)));
        }
        case MIN, MAX -> {
          String fn = s.kind == Kind.MIN ? "min(" : "max(";
          out.add(fn + arg(s, f) + ") FILTER (WHERE " + when(w + " > 0", flt) + ") AS "
              + q(s.columns.get(0) + "_ins"));
          out.add(fn + arg(s, f) + ") FILTER (WHERE " + when(w + " < 0", flt) + ") AS "
              + q(s.columns.get(0) + "_del"));
        }
      }
    }
    return out;
  }

  private static RelDataType argType(State s) {
    return s.argType;
  }

  /** New state = stored state (t, absent for a new group) + increment (d). */
  private static List<String> mergeStates(List<State> states) {
    List<String> out = new ArrayList<>();
    for (State s : states) {
      switch (s.kind) {
        case COUNT_STAR -> { }
        case COUNT, BOOL_AND, BOOL_OR, SUM, AVG -> {
          for (String c : s.columns) {
            out.add(c.endsWith("_sum")
                ? "coalesce(" + col("t", c) + ", 0) + coalesce(" + col("d", c) + ", 0)"
                : "coalesce(" + col("t", c) + ", 0) + " + col("d", c));
          }
        }
        case MIN -> out.add("least(" + col("t", s.columns.get(0)) + ", "
            + col("d", s.columns.get(0) + "_ins") + ")");
        case MAX -> out.add("greatest(" + col("t", s.columns.get(0)) + ", "
            + col("d", s.columns.get(0) + "_ins") + ")");
        case RECOMPUTE -> out.add(col("r", s.columns.get(0)));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- above the aggregate

  /** The projections and HAVING conditions above the aggregate, as SQL over alias n. */
  record Top(List<String> fields, List<String> conditions) {
    List<String> items(List<String> rootNames, String rowId, List<String> hidden) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < rootNames.size(); i++) {
        out.add(fields.get(i) + " AS " + q(rootNames.get(i)));
      }
      out.add(rowId + " AS " + q("__pgt_row_id"));
      for (String h : hidden) {
        out.add(col("n", h));
      }
      return out;
    }

    String keep(boolean global) {
      List<String> c = new ArrayList<>();
      if (!global) {
        c.add(col("n", "__pgt_count") + " > 0");
      }
      for (String cond : conditions) {
        c.add("coalesce(" + cond + ", false)");
      }
      return c.isEmpty() ? "true" : String.join(" AND ", c);
    }
  }

  private static Top top(Aggregate agg, List<RelNode> above, List<String> keyNames,
      List<State> states) {
    List<String> fields = new ArrayList<>();
    for (String k : keyNames) {
      fields.add(col("n", k));
    }
    for (State s : states) {
      fields.add(output(s));
    }
    List<String> conditions = new ArrayList<>();
    for (RelNode node : above) {
      if (node instanceof Filter f) {
        conditions.add(Expressions.render(f.getCondition(), fields));
      } else if (node instanceof Project p) {
        List<String> next = new ArrayList<>();
        for (RexNode e : p.getProjects()) {
          next.add(Expressions.render(e, fields));
        }
        fields = next;
      } else {
        throw new IllegalStateException("not above an aggregate: " + node);
      }
    }
    return new Top(fields, conditions);
  }

  /** The aggregate's value from its state columns (alias n). */
  private static String output(State s) {
    List<String> c = s.columns.stream().map(x -> col("n", x)).toList();
    switch (s.kind) {
      case COUNT_STAR:
        return col("n", "__pgt_count");
      case COUNT:
      case MIN:
      case MAX:
      case RECOMPUTE:
        return c.get(0);
      case SUM:
        return "CASE WHEN " + c.get(1) + " = 0 THEN NULL ELSE " + c.get(0) + " END";
      case AVG: {
        boolean floating = s.call.type.getSqlTypeName().getFamily() == SqlTypeFamily.APPROXIMATE_NUMERIC
            || s.call.type.getSqlTypeName() == SqlTypeName.DOUBLE;
        return "CASE WHEN " + c.get(1) + " = 0 THEN NULL ELSE " + c.get(0)
            + (floating ? "::float8" : "::numeric") + " / " + c.get(1) + " END";
      }
      case BOOL_AND:
        return "CASE WHEN " + c.get(0) + " = 0 THEN NULL ELSE " + c.get(1) + " = " + c.get(0)
            + " END";
      case BOOL_OR:
        return "CASE WHEN " + c.get(0) + " = 0 THEN NULL ELSE " + c.get(1) + " > 0 END";
      default:
        throw new IllegalStateException();
    }
  }
}
