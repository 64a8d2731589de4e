package io.pgtrickle.dvm.emit;

import static io.pgtrickle.dvm.emit.SqlText.col;
import static io.pgtrickle.dvm.emit.SqlText.q;

import java.util.ArrayList;
import java.util.List;

/**
 * The MERGE statements that apply a consolidated change to a storage table. Ours, not
 * Calcite's: its SqlMerge has no conditional arms ({@code WHEN MATCHED AND … THEN DELETE}).
 *
 * <p>Every form joins on {@code __pgt_row_id} (unique index) and touches only rows whose
 * identity is in the change.
 */
public final class MergeEmitter {
  private MergeEmitter() {}

  /**
   * Rows identified by a key: per identity at most one −old and one +new remain after
   * consolidation; +new wins (update or insert), a lone −old deletes. A row whose content did
   * not change is not written (no dead tuple, no index churn).
   */
  public static String keyed(String storage, String net, List<String> columns,
      boolean comparable) {
    String src = "SELECT DISTINCT ON (" + col("n", "__pgt_row_id") + ") " + q("n") + ".*\nFROM "
        + q(net) + " AS " + q("n") + "\nORDER BY " + col("n", "__pgt_row_id") + ", "
        + col("n", "__pgt_w") + " DESC";
    List<String> set = new ArrayList<>();
    List<String> tCols = new ArrayList<>();
    List<String> sCols = new ArrayList<>();
    for (String c : columns) {
      set.add(q(c) + " = " + col("s", c));
      tCols.add(col("t", c));
      sCols.add(col("s", c));
    }
    List<String> insertCols = new ArrayList<>(columns.stream().map(SqlText::q).toList());
    insertCols.add(q("__pgt_row_id"));
    List<String> values = new ArrayList<>(sCols);
    values.add(col("s", "__pgt_row_id"));
    String changed = comparable
        ? " AND (" + String.join(", ", tCols) + ") IS DISTINCT FROM (" + String.join(", ", sCols)
            + ")"
        : "";
    if (comparable && columns.size() == 1) {
      changed = " AND " + tCols.get(0) + " IS DISTINCT FROM " + sCols.get(0);
    }
    return "MERGE INTO " + storage + " AS " + q("t") + "\nUSING " + SqlText.sub(src) + " AS "
        + q("s") + "\nON " + col("t", "__pgt_row_id") + " = " + col("s", "__pgt_row_id")
        + "\nWHEN MATCHED AND " + col("s", "__pgt_w") + " < 0 THEN\n  DELETE"
        + "\nWHEN MATCHED AND " + col("s", "__pgt_w") + " > 0" + changed + " THEN\n  UPDATE SET "
        + SqlText.list(set, 13)
        + "\nWHEN NOT MATCHED AND " + col("s", "__pgt_w") + " > 0 THEN\n  INSERT ("
        + String.join(", ", insertCols) + ")\n  VALUES (" + String.join(", ", values) + ")";
  }

  /**
   * Rows identified by their content (no source key), each copy a row of its own keyed by
   * ({@code __pgt_row_id}, {@code __pgt_copy}), copies numbered 1 to n. A change of +w inserts
   * copies n+1 … n+w; −w deletes the last w, n−w+1 … n, so the numbers stay dense. n is counted on
   * the key's index, only for the row contents in the change.
   */
  public static String counted(String storage, String net, List<String> columns) {
    String copy = "__pgt_copy";
    String w = col("n", "__pgt_w") + "::bigint";
    List<String> items = new ArrayList<>(columns.stream().map(c -> col("n", c)).toList());
    items.add(col("n", "__pgt_row_id"));
    items.add(col("g", copy));
    items.add(w + " AS " + q("__pgt_w"));
    String src = "SELECT " + SqlText.list(items, 7)
        + "\nFROM " + q(net) + " AS " + q("n")
        + "\nCROSS JOIN LATERAL (SELECT count(*) AS " + q("k") + " FROM " + storage + " AS "
        + q("e") + " WHERE " + col("e", "__pgt_row_id") + " = " + col("n", "__pgt_row_id")
        + ") AS " + q("e")
        + "\nCROSS JOIN LATERAL generate_series("
        + "CASE WHEN " + w + " > 0 THEN " + col("e", "k") + " + 1 ELSE " + col("e", "k") + " + "
        + w + " + 1 END,\n       CASE WHEN " + w + " > 0 THEN " + col("e", "k") + " + " + w
        + " ELSE " + col("e", "k") + " END) AS " + q("g") + "(" + q(copy) + ")";
    List<String> insertCols = new ArrayList<>(columns.stream().map(SqlText::q).toList());
    insertCols.add(q("__pgt_row_id"));
    insertCols.add(q(copy));
    List<String> values = new ArrayList<>(columns.stream().map(c -> col("s", c)).toList());
    values.add(col("s", "__pgt_row_id"));
    values.add(col("s", copy));
    return "MERGE INTO " + storage + " AS " + q("t") + "\nUSING " + SqlText.sub(src) + " AS "
        + q("s")
        + "\nON " + col("t", "__pgt_row_id") + " = " + col("s", "__pgt_row_id") + " AND "
        + col("t", copy) + " = " + col("s", copy)
        + "\nWHEN MATCHED AND " + col("s", "__pgt_w") + " < 0 THEN\n  DELETE"
        + "\nWHEN NOT MATCHED AND " + col("s", "__pgt_w") + " > 0 THEN\n  INSERT ("
        + String.join(", ", insertCols) + ")\n  VALUES (" + String.join(", ", values) + ")";
  }

  /**
   * Groups: the source holds each affected group's new row and whether it is kept (it still
   * has rows and passes HAVING).
   */
  public static String aggregate(String storage, String apply, List<String> columns,
      List<String> hidden) {
    List<String> all = new ArrayList<>(columns);
    all.addAll(hidden);
    List<String> set = all.stream().map(c -> q(c) + " = " + col("s", c)).toList();
    List<String> insertCols = new ArrayList<>(columns.stream().map(SqlText::q).toList());
    insertCols.add(q("__pgt_row_id"));
    hidden.forEach(h -> insertCols.add(q(h)));
    List<String> values = new ArrayList<>(columns.stream().map(c -> col("s", c)).toList());
    values.add(col("s", "__pgt_row_id"));
    hidden.forEach(h -> values.add(col("s", h)));
    return "MERGE INTO " + storage + " AS " + q("t") + "\nUSING " + q(apply) + " AS " + q("s")
        + "\nON " + col("t", "__pgt_row_id") + " = " + col("s", "__pgt_row_id")
        + "\nWHEN MATCHED AND NOT " + col("s", "__pgt_keep") + " THEN\n  DELETE"
        + "\nWHEN MATCHED THEN\n  UPDATE SET " + SqlText.list(set, 13)
        + "\nWHEN NOT MATCHED AND " + col("s", "__pgt_keep") + " THEN\n  INSERT ("
        + String.join(", ", insertCols) + ")\n  VALUES (" + String.join(", ", values) + ")";
  }
}
