package io.pgtrickle.dvm.plan;

import java.util.List;

/**
 * A table the query reads, and the columns change capture must keep for it (primary-key
 * columns included).
 *
 * @param oid     {@code pg_class.oid}; the change buffer is
 *                {@code pgtrickle_changes."changes_<oid>"}
 * @param schema  schema name, exact
 * @param table   table name, exact
 * @param columns column names in table order
 */
public record SourceUse(long oid, String schema, String table, List<String> columns) {
  public SourceUse {
    columns = List.copyOf(columns);
  }
}
