package io.pgtrickle.dvm.delta;

import java.util.ArrayList;
import java.util.List;

/**
 * One operator of the query, in SQL: how to read its current contents and its change.
 *
 * <p>Both relations have the operator's columns (in field order, skipping fields nobody reads)
 * followed by its identity columns; the change also has {@code __pgt_w}, the Z-set weight
 * (+n: n copies appear, −n: n copies disappear).
 *
 * @param columns alias of each output field in the SQL, or null for a field no one reads
 * @param ids     the row identity: for keyed identities a key of the output (at most one row
 *                per identity in any state); for counted ones the row content itself
 * @param counted true when rows are identified by content and counted by multiplicity
 *                (a source without primary key)
 * @param post    a SELECT of the current (post-batch) contents; inline it, never materialise
 * @param delta   name of the CTE holding the change
 * @param unitWeights every change row has weight +1 or −1 (a buffer row, and what filters,
 *                projections, inner joins and unions make of such rows); aggregates can then
 *                count and sum with FILTER instead of multiplying by the weight
 */
public record Derived(List<String> columns, List<IdColumn> ids, boolean counted, String post,
    String delta, boolean unitWeights) {

  public Derived {
    columns = java.util.Collections.unmodifiableList(new ArrayList<>(columns));
    ids = List.copyOf(ids);
  }

  /** SQL for field i read through {@code alias}: {@code alias."column"}. */
  List<String> fieldsVia(String alias) {
    List<String> out = new ArrayList<>();
    for (String c : columns) {
      out.add(c == null ? null : io.pgtrickle.dvm.emit.SqlText.col(alias, c));
    }
    return out;
  }

  /** The non-null column aliases, in order. */
  List<String> presentColumns() {
    return columns.stream().filter(java.util.Objects::nonNull).toList();
  }

  /** Output column list "alias.c AS c" for every present column and every identity column. */
  List<String> passThrough(String alias) {
    List<String> out = new ArrayList<>();
    for (String c : presentColumns()) {
      out.add(io.pgtrickle.dvm.emit.SqlText.col(alias, c));
    }
    for (IdColumn id : ids) {
      out.add(io.pgtrickle.dvm.emit.SqlText.col(alias, id.name()));
    }
    return out;
  }
}
