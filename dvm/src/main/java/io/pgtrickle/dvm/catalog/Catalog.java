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
   * Whether every function named {@code name} is {@code IMMUTABLE}: its value depends on its
   * arguments alone (for an aggregate, also its transition and final functions). Asked for functions the planner does not know (user functions, most of all);
   * any other volatility (a {@code STABLE} function may read other tables or settings) means rows
   * could change without a change to the query's tables. Unknown: false.
   */
  default boolean immutableFunction(String name) {
    return false;
  }

  /**
   * Whether a function named {@code name} outside {@code pg_catalog} (one of the database's own)
   * is not {@code IMMUTABLE}. Asked for names the planner knows as built-in functions: PostgreSQL
   * calls the database's function where it has no built-in of that name ({@code year}, {@code
   * hour}, …), so the planner's idea of the function is not to be trusted then. Unknown: false.
   */
  default boolean userFunctionMayChange(String name) {
    return false;
  }
}
