package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.col;
import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.catalog.CatalogTable;
import io.pgtrickle.dvm.parse.PgTypes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * Scan of a source table.
 *
 * <p>Z-set rule: the change of a table is its change buffer's batch (or, in IMMEDIATE mode, the
 * statement's transition tables), each row weighted by
 * {@code __pgt_weight} (+1 inserted, −1 deleted; an UPDATE is −old +new). Its contents are the
 * table itself, read in the refresh snapshot (the post-batch state).
 *
 * <p>Identity: the primary key. A table without one is identified by the content of the columns
 * the query reads, with duplicates counted by multiplicity.
 */
final class ScanDelta {
  private ScanDelta() {}

  static Derived derive(TableScan scan, CatalogTable table, ImmutableBitSet used,
      DeltaContext ctx, RelDataTypeFactory tf) {
    List<RelDataTypeField> fields = scan.getRowType().getFieldList();
    List<String> columns = new ArrayList<>();
    Set<String> read = new LinkedHashSet<>();
    for (RelDataTypeField f : fields) {
      if (used.get(f.getIndex())) {
        columns.add(f.getName());
        read.add(f.getName());
      } else {
        columns.add(null);
      }
    }
    List<IdColumn> ids = new ArrayList<>();
    List<String> idSources = new ArrayList<>();
    boolean counted = table.primaryKey().isEmpty();
    if (!counted) {
      for (String k : table.primaryKey()) {
        int field = scan.getRowType().getFieldNames().indexOf(k);
        var column = table.column(k).orElseThrow();
        ids.add(new IdColumn("__pgt_id" + ids.size(),
            PgTypes.toCalcite(column.type(), tf, false), field));
        idSources.add(k);
        read.add(k);
      }
    } else {
      for (RelDataTypeField f : fields) {
        if (used.get(f.getIndex())) {
          ids.add(new IdColumn("__pgt_id" + ids.size(), f.getType(), f.getIndex()));
          idSources.add(f.getName());
        }
      }
    }
    if (read.isEmpty() && !table.columns().isEmpty()) {
      // a query reading no column of a table without key (count(*), EXISTS): capture still needs one column to
      // record a row's change by; its weight is all the delta uses
      read.add(table.columns().get(0).name());
    }
    ctx.readSource(table, new ArrayList<>(read));

    String post = "SELECT " + selectList("t", columns, ids, idSources) + "\nFROM "
        + table.qualifiedName() + " AS " + q("t");
    String delta = ctx.cte("scan_" + table.name(),
        "SELECT " + withComma(selectList("c", columns, ids, idSources))
            + col("c", "__pgt_weight") + "::bigint AS " + q(DeltaContext.W) + "\nFROM "
            + DeltaContext.changesOf(table.oid()) + " AS " + q("c"));
    return new Derived(columns, ids, counted, post, delta, true);
  }

  /** {@code list} followed by a comma and a new line, or nothing when the query reads no column. */
  private static String withComma(String list) {
    return list.isEmpty() ? "" : list + ",\n       ";
  }

  private static String selectList(String alias, List<String> columns, List<IdColumn> ids,
      List<String> idSources) {
    List<String> items = new ArrayList<>();
    for (String c : columns) {
      if (c != null) {
        items.add(col(alias, c));
      }
    }
    for (int i = 0; i < ids.size(); i++) {
      items.add(col(alias, idSources.get(i)) + " AS " + q(ids.get(i).name()));
    }
    return String.join(",\n       ", items);
  }
}
