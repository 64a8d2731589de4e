package io.pgtrickle.dvm.catalog;

import java.util.Objects;

/**
 * One column of a {@link CatalogTable}.
 *
 * @param name    column name, exact
 * @param type    the type as PostgreSQL's {@code format_type(atttypid, atttypmod)} prints it,
 *                e.g. {@code bigint}, {@code numeric(10,2)}, {@code text},
 *                {@code timestamp with time zone}, {@code jsonb}, {@code integer[]}
 * @param notNull {@code attnotnull}
 */
public record CatalogColumn(String name, String type, boolean notNull) {
  public CatalogColumn {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }
}
