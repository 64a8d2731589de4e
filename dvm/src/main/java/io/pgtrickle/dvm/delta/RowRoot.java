package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.col;
import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.emit.SqlText;
import java.util.ArrayList;
import java.util.List;

/**
 * The top of a query that is not an aggregate: storage rows are the query's rows, each with
 * {@code __pgt_row_id} (and {@code __pgt_count} when rows are counted by content).
 *
 * <p>Rows counted by multiplicity (a source without primary key, a projection that drops the key,
 * {@code UNION ALL} of equal rows) are identified by identity and content together; each copy is a
 * row of its own, numbered by {@code __pgt_copy} from 1, so that a plain {@code SELECT} of the table
 * returns the query's result as a multiset.
 *
 * <p>Consolidation: the change is summed per (identity, content) and zero sums dropped, so a
 * row inserted and deleted in the batch, or updated back and forth by several transactions,
 * costs nothing at the MERGE.
 */
public final class RowRoot {
  private RowRoot() {}

  /** The ordinal of one copy of a counted row (1 to the row's multiplicity): part of its key. */
  public static final String COPY = "__pgt_copy";

  /** Storage layout and the consolidated change. */
  public record Result(List<String> userColumns, List<String> hiddenColumns, boolean counted,
      String storageSelect, String netCte) {}

  public static Result derive(Derived root, List<String> names,
      List<org.apache.calcite.rel.type.RelDataType> types, DeltaContext ctx) {
    List<String> items = new ArrayList<>();
    // Grouping (consolidation) needs equality; json, xml and point have none: they are grouped
    // by their text and carried through an aggregate.
    List<String> groupItems = new ArrayList<>();
    List<String> groupBy = new ArrayList<>();
    List<String> present = root.presentColumns();
    for (int i = 0; i < present.size(); i++) {
      String ref = col("r", present.get(i));
      items.add(ref + " AS " + q(names.get(i)));
      if (RowId.hasEquality(types.get(i))) {
        groupItems.add(ref + " AS " + q(names.get(i)));
        groupBy.add(Integer.toString(i + 1));
      } else {
        groupItems.add("(array_agg(" + ref + "))[1] AS " + q(names.get(i)));
        groupBy.add(ref + "::text");
      }
    }
    List<IdColumn> identity = new ArrayList<>(root.ids());
    if (root.counted()) {
      // Counted rows are told apart by content: identity plus every column (a join may have
      // dropped a pinned side's identity, whose columns can still change).
      for (int i = 0; i < root.columns().size(); i++) {
        if (root.columns().get(i) != null) {
          identity.add(new IdColumn(root.columns().get(i), types.get(i), i));
        }
      }
    }
    String rowId = (root.counted() ? RowId.text(identity, id -> col("r", id.name()))
        : RowId.expr(identity, id -> col("r", id.name()))) + " AS " + q("__pgt_row_id");
    items.add(rowId);
    groupItems.add(rowId);
    groupBy.add(Integer.toString(present.size() + 1));
    String storageSelect;
    List<String> hidden = new ArrayList<>(List.of("__pgt_row_id"));
    if (root.counted()) {
      hidden.add(COPY);
      storageSelect = "SELECT " + SqlText.list(groupItems, 7) + ",\n       generate_series(1, count(*)) AS "
          + q(COPY) + "\nFROM " + SqlText.sub(root.post()) + " AS " + q("r")
          + "\nGROUP BY " + String.join(", ", groupBy);
    } else {
      storageSelect = "SELECT " + SqlText.list(items, 7) + "\nFROM "
          + SqlText.sub(root.post()) + " AS " + q("r");
    }
    String sum = DeltaContext.weightSum("r", root.unitWeights());
    String net = ctx.cte("net", "SELECT " + SqlText.list(groupItems, 7) + ",\n       " + sum
        + " AS " + q(DeltaContext.W) + "\nFROM " + q(root.delta()) + " AS " + q("r")
        + "\nGROUP BY " + String.join(", ", groupBy) + "\nHAVING " + sum + " <> 0");
    return new Result(names, hidden, root.counted(), storageSelect, net);
  }
}
