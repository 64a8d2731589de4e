package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.catalog.CatalogTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * State of one delta derivation: the CTEs written so far (in dependency order), their names,
 * and the source columns each scan reads.
 */
public final class DeltaContext {
  /**
   * Stands for the previous frontier (a pg_snapshot expression) in emitted text until the
   * operator supplies it. PostgreSQL rejects NUL in query text, so no user query contains it.
   */
  public static final String PREV_FRONTIER = "\u0000PREV\u0000";
  /** Stands for the storage table's qualified name. */
  public static final String STORAGE = "\u0000STORAGE\u0000";

  /** The CTE holding the previous frontier, read as a scalar sub-query (an InitPlan). */
  static final String PREV_CTE = "__pgt_prev";
  /** Weight column of every change relation. */
  public static final String W = "__pgt_w";

  /**
   * The sum of the weights of the rows grouped under {@code alias}, as a bigint. With unit weights
   * (every row +1 or −1) it is a difference of two counts: {@code sum} of a bigint accumulates in
   * numeric, which costs about 0.25 µs per change row (4 ms of a 17,000-row batch) for nothing.
   */
  public static String weightSum(String alias, boolean unitWeights) {
    String w = io.pgtrickle.dvm.emit.SqlText.col(alias, W);
    return unitWeights
        ? "(count(*) FILTER (WHERE " + w + " > 0) - count(*) FILTER (WHERE " + w + " < 0))"
        : "sum(" + w + ")::bigint";
  }
  /** Change-buffer schema, per the contract with the operator. */
  public static final String BUFFER_SCHEMA = "pgtrickle_changes";

  private final Map<String, String> ctes = new LinkedHashMap<>();
  private final Map<Long, CatalogTable> sources = new LinkedHashMap<>();
  private final Map<Long, Set<String>> sourceColumns = new LinkedHashMap<>();
  private int seq;
  private final org.apache.calcite.rel.type.RelDataTypeFactory typeFactory;

  public DeltaContext(org.apache.calcite.rel.type.RelDataTypeFactory typeFactory) {
    this.typeFactory = typeFactory;
  }

  org.apache.calcite.rel.type.RelDataTypeFactory typeFactory() {
    return typeFactory;
  }

  /** Adds a CTE and returns its (quoted-when-used) name. */
  String cte(String hint, String body) {
    String name = "__pgt_" + (++seq) + "_" + hint;
    ctes.put(name, body);
    return name;
  }

  void readSource(CatalogTable table, List<String> columns) {
    sources.putIfAbsent(table.oid(), table);
    sourceColumns.computeIfAbsent(table.oid(), k -> new TreeSet<>()).addAll(columns);
  }

  /** Tables read, in first-read order. */
  public List<CatalogTable> sources() {
    return new ArrayList<>(sources.values());
  }

  /** Columns read from a source, in the table's column order. */
  public List<String> columnsOf(CatalogTable t) {
    Set<String> used = sourceColumns.getOrDefault(t.oid(), Set.of());
    return t.columns().stream().map(c -> c.name()).filter(used::contains).toList();
  }

  /**
   * Stands for the change rows of source {@code oid} (columns {@code __pgt_weight} and the
   * source's): the buffer's batch for a deferred refresh, the transition tables in IMMEDIATE
   * mode. Expanded by {@link #expandChanges}.
   */
  static String changesOf(long oid) {
    return "\u0000CHANGES " + oid + "\u0000";
  }

  /** Replaces every {@link #changesOf} marker with the relation {@code rows(oid)} gives. */
  public static String expandChanges(String template, java.util.function.LongFunction<String> rows) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    String open = "\u0000CHANGES ";
    while (true) {
      int at = template.indexOf(open, i);
      if (at < 0) {
        return out.append(template, i, template.length()).toString();
      }
      int end = template.indexOf('\u0000', at + open.length());
      long oid = Long.parseLong(template.substring(at + open.length(), end));
      out.append(template, i, at).append(rows.apply(oid));
      i = end + 1;
    }
  }

  /** The batch of a source's change buffer, as a sub-query (flattened by PostgreSQL). */
  public static String bufferBatch(long oid) {
    return "(\n    SELECT * FROM " + q(BUFFER_SCHEMA) + "." + q("changes_" + oid) + " AS " + q("b")
        + "\n    WHERE " + batchCondition("b").replace("\n", "\n      ") + "\n  )";
  }

  /** The change buffer of a source table. */
  static String buffer(CatalogTable t) {
    return q(BUFFER_SCHEMA) + "." + q("changes_" + t.oid());
  }

  /** Buffer rows of the batch: written by transactions visible now but not at PREV. */
  static String batchCondition(String alias) {
    String prev = "(SELECT " + q("frontier") + " FROM " + q(PREV_CTE) + ")";
    return q(alias) + "." + q("__pgt_xid") + " >= pg_snapshot_xmin(" + prev + ")\n"
        + "AND NOT pg_visible_in_snapshot(" + q(alias) + "." + q("__pgt_xid") + ", " + prev
        + ")";
  }

  /** {@code WITH} list text: the frontier CTE first, then every CTE in creation order. */
  public String withClause() {
    StringBuilder sb = new StringBuilder("WITH ");
    sb.append(q(PREV_CTE)).append(" AS (\n  SELECT (").append(PREV_FRONTIER)
        .append(")::pg_snapshot AS ").append(q("frontier")).append("\n)");
    for (Map.Entry<String, String> e : ctes.entrySet()) {
      sb.append(",\n").append(q(e.getKey())).append(" AS ")
          .append(io.pgtrickle.dvm.emit.SqlText.sub(e.getValue()));
    }
    return sb.toString();
  }

  /** CTEs only, without the WITH keyword and frontier (for explain). */
  public Map<String, String> ctes() {
    return java.util.Collections.unmodifiableMap(ctes);
  }
}
