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

  /** Rows identified by their content (no source key): a hidden count per distinct row. */
  public static String counted(String storage, String net, List<String> columns) {
    List<String> insertCols = new ArrayList<>(columns.stream().map(SqlText::q).toList());
    insertCols.add(q("__pgt_row_id"));
    insertCols.add(q("__pgt_count"));
    List<String> values = new ArrayList<>(columns.stream().map(c -> col("s", c)).toList());
    values.add(col("s", "__pgt_row_id"));
    values.add(col("s", "__pgt_w"));
    return "MERGE INTO " + storage + " AS " + q("t") + "\nUSING " + q(net) + " AS " + q("s")
        + "\nON " + col("t", "__pgt_row_id") + " = " + col("s", "__pgt_row_id")
        + "\nWHEN MATCHED AND " + col("t", "__pgt_count") + " + " + col("s", "__pgt_w")
        + " <= 0 THEN\n  DELETE"
        + "\nWHEN MATCHED THEN\n  UPDATE SET " + q("__pgt_count") + " = "
        + col("t", "__pgt_count") + " + " + col("s", "__pgt_w")
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
