package io.pgtrickle.dvm.catalog;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One table of the target database.
 *
 * @param oid        {@code pg_class.oid}; names the change buffer
 *                   {@code pgtrickle_changes."changes_<oid>"}
 * @param schema     schema name, exact
 * @param name       table name, exact
 * @param columns    columns in {@code attnum} order, dropped columns left out
 * @param primaryKey primary-key column names in key order; empty when the table has none (rows
 *                   are then identified by their whole content and counted by multiplicity)
 */
public record CatalogTable(long oid, String schema, String name, List<CatalogColumn> columns,
    List<String> primaryKey) {

  public CatalogTable {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(name, "name");
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    for (String k : primaryKey) {
      if (columns.stream().noneMatch(c -> c.name().equals(k))) {
        throw new IllegalArgumentException("primary key column " + k + " is not a column of "
            + schema + "." + name);
      }
    }
  }

  public Optional<CatalogColumn> column(String columnName) {
    return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
  }

  /** {@code "schema"."name"}, quoted. */
  public String qualifiedName() {
    return quote(schema) + "." + quote(name);
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
