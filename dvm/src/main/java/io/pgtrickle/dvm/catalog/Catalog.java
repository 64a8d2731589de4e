package io.pgtrickle.dvm.catalog;

import java.util.List;
import java.util.Optional;

/**
 * The tables a stream-table query may read, as the target database describes them.
 *
 * <p>The operator implements this over JDBC ({@code pg_class}, {@code pg_attribute},
 * {@code format_type}, {@code pg_index}); tests use {@link InMemoryCatalog}. Names are exact
 * (case-sensitive, as stored in {@code pg_class.relname}); the planner folds unquoted
 * identifiers to lower case before asking.
 *
 * <p>A stream table read by another stream table is an ordinary table here: report
 * {@code __pgt_row_id} as its primary key (it is NOT NULL with a unique index). Columns whose
 * name starts with {@code __pgt_} are hidden from the query ({@code SELECT *} does not see them).
 */
public interface Catalog {

  /** The table or view-like relation {@code schema.name}, if it exists. */
  Optional<CatalogTable> table(String schema, String name);

  /**
   * The effective {@code search_path} of the role that owns the stream table, in order,
   * without {@code pg_catalog} and without unresolved {@code "$user"} entries.
   */
  default List<String> searchPath() {
    return List.of("public");
  }

  /**
   * Whether a function named {@code name} outside {@code pg_catalog} (one of the database's own:
   * a user function, an extension's) is not {@code IMMUTABLE} (for an aggregate: its transition or
   * final function is not), so that its value may change with other tables or settings. Asked for
   * every function the query calls, including names the planner knows as built-ins: PostgreSQL
   * calls the database's function where it has no built-in of that name ({@code year}, {@code
   * hour}, …). Unknown: false.
   */
  default boolean userFunctionMayChange(String name) {
    return false;
  }

  /**
   * Whether every function named {@code name} (in any schema, built-ins included; for an aggregate,
   * its transition and final functions too) is {@code IMMUTABLE}. Asked before a stream table
   * maintained in FULL skips a refresh because no table changed: a STABLE built-in the planner does
   * not know ({@code current_setting}, {@code has_table_privilege}, …) may change without one.
   * This default, for a catalog that knows no functions, says true; a database that has no
   * function of the name says false (such a FULL stream table then recomputes at every refresh).
   */
  default boolean immutableFunction(String name) {
    return true;
  }
}
