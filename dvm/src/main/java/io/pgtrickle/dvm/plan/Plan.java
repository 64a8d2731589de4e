package io.pgtrickle.dvm.plan;

import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.delta.DeltaContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything needed to install and refresh one stream table. Immutable; SQL in, SQL out.
 *
 * <p>Methods taking {@code qualifiedTable} expect the storage table's name already quoted and
 * schema-qualified, e.g. {@code "public"."daily_totals"}. Methods taking
 * {@code prevFrontierExpr} expect a SQL expression of type {@code pg_snapshot} (or text
 * castable to it) that yields the stream table's previous frontier inside the refresh
 * transaction, e.g. {@code $1} or {@code (SELECT frontier FROM pgtrickle.stream_tables WHERE
 * id = 42)}; it appears exactly once in the emitted text (as a CTE read by every batch filter).
 *
 * <p>Refresh contract: run {@link #refreshSql} in one REPEATABLE READ transaction, after the
 * frontier of the previous refresh is known and before storing the new one (the transaction's
 * snapshot); base tables are then the post-batch state. The statement's update count is the
 * number of storage rows inserted, updated or deleted.
 *
 * @param query         the stream table's query as given
 * @param mode          effective refresh mode
 * @param reasons       why the mode is FULL, in words a user can act on (empty when
 *                      DIFFERENTIAL)
 * @param columns       user-visible columns in order (empty when the planner could not read the
 *                      query: PostgreSQL derives them)
 * @param hiddenColumns engine columns ({@code __pgt_row_id}, {@code __pgt_count}, aggregate
 *                      states), after the user columns in the storage table
 * @param counted       rows are identified by content (a source without primary key): each copy of
 *                      a row is a storage row of its own, keyed by ({@code __pgt_row_id},
 *                      {@code __pgt_copy})
 * @param sources       tables read and the columns change capture must keep
 * @param storageSelect SELECT producing the storage rows (user and hidden columns) from the
 *                      current sources
 * @param refreshTemplate the refresh statement, with placeholders for table and frontier
 *                      (null for FULL)
 * @param deltaTemplate the change SELECT for {@code explain} (null for FULL)
 */
public record Plan(String query, Mode mode, List<String> reasons, List<OutputColumn> columns,
    List<OutputColumn> hiddenColumns, boolean counted, List<SourceUse> sources,
    String storageSelect, String refreshTemplate, String deltaTemplate) {

  /**
   * Fillfactor of DIFFERENTIAL storage tables: room on each page so updates can be HOT. FULL
   * storage is only ever rewritten whole, so it keeps PostgreSQL's default (full pages).
   */
  public static final int FILLFACTOR = 90;

  public Plan {
    reasons = List.copyOf(reasons);
    columns = List.copyOf(columns);
    hiddenColumns = List.copyOf(hiddenColumns);
    sources = List.copyOf(sources);
  }

  public boolean isDifferential() {
    return mode == Mode.DIFFERENTIAL;
  }

  /**
   * Statements creating the empty storage table: user columns then hidden ones, typed by
   * PostgreSQL from the query itself, plus (DIFFERENTIAL) a primary key (unique index) on
   * {@code __pgt_row_id}. The key may be added after the initial load (one index build instead
   * of an insertion per row).
   */
  public List<String> storageDdl(String qualifiedTable) {
    List<String> out = new ArrayList<>();
    out.add("CREATE TABLE " + qualifiedTable
        + (isDifferential() ? "\nWITH (fillfactor = " + FILLFACTOR + ")" : "") + " AS\n"
        + storageSelect + "\nWITH NO DATA");
    if (isDifferential()) {
      // A primary key: the unique index every MERGE probes, NOT NULL, and the key another
      // stream table reading this one identifies rows by.
      out.add("ALTER TABLE " + qualifiedTable + " ADD PRIMARY KEY ("
          + String.join(", ", keyColumns().stream().map(io.pgtrickle.dvm.emit.SqlText::q).toList())
          + ")");
    }
    return out;
  }

  /** Fills an empty storage table from the sources (hidden columns included). */
  public String initialLoadSql(String qualifiedTable) {
    return "INSERT INTO " + qualifiedTable + "\n" + storageSelect;
  }

  /**
   * Recomputes the storage table from scratch: the FULL refresh of either mode. {@code DELETE}, not
   * {@code TRUNCATE}: a snapshot taken before the refresh committed must still see the old rows, not
   * an empty table (TRUNCATE is not MVCC-safe).
   */
  public List<String> fullRefreshSql(String qualifiedTable) {
    return List.of("DELETE FROM " + qualifiedTable, initialLoadSql(qualifiedTable));
  }

  /**
   * The statements of one refresh. DIFFERENTIAL: one MERGE applying the batch since
   * {@code prevFrontierExpr}. FULL: {@link #fullRefreshSql}.
   */
  public List<String> refreshSql(String qualifiedTable, String prevFrontierExpr) {
    if (!isDifferential()) {
      return fullRefreshSql(qualifiedTable);
    }
    return List.of(fill(refreshTemplate, qualifiedTable, prevFrontierExpr));
  }

  /** The consolidated change as a SELECT (for {@code explain}); null when FULL. */
  public String deltaSelectSql(String qualifiedTable, String prevFrontierExpr) {
    return deltaTemplate == null ? null : fill(deltaTemplate, qualifiedTable, prevFrontierExpr);
  }

  /** The storage table's key (DIFFERENTIAL): the row identity, and for counted rows the copy. */
  public List<String> keyColumns() {
    return counted ? List.of("__pgt_row_id", "__pgt_copy") : List.of("__pgt_row_id");
  }

  /**
   * The query's result from the storage table: its user columns, a plain SELECT (every copy of a
   * duplicate row is a row of its own).
   */
  public String readSql(String qualifiedTable) {
    List<String> cols = columns.stream().map(c -> q(c.name())).toList();
    String list = cols.isEmpty() ? "*" : String.join(", ", cols);
    return "SELECT " + list + " FROM " + qualifiedTable;
  }

  /**
   * IMMEDIATE mode: the statement that applies one statement's change of source
   * {@code sourceOid} inside the writing transaction, from an AFTER … FOR EACH STATEMENT
   * trigger's transition tables ({@code oldTable}: rows deleted or updated away, null for
   * INSERT; {@code newTable}: rows inserted or updated to, null for DELETE). Other sources are
   * read as they are (the post-statement state) with no change. The caller serialises writers
   * of one stream table (e.g. an advisory lock) so that results stay exact. Null when FULL.
   */
  public String immediateSql(String qualifiedTable, long sourceOid, String oldTable,
      String newTable) {
    if (!isDifferential()) {
      return null;
    }
    String t = refreshTemplate.replace(DeltaContext.STORAGE, qualifiedTable)
        .replace(DeltaContext.PREV_FRONTIER, "NULL");
    return DeltaContext.expandChanges(t, oid -> {
      List<String> parts = new ArrayList<>();
      if (oid == sourceOid && oldTable != null) {
        parts.add("SELECT -1::smallint AS " + q("__pgt_weight") + ", " + q("o") + ".* FROM "
            + oldTable + " AS " + q("o"));
      }
      if (oid == sourceOid && newTable != null) {
        parts.add("SELECT 1::smallint AS " + q("__pgt_weight") + ", " + q("n") + ".* FROM "
            + newTable + " AS " + q("n"));
      }
      if (parts.isEmpty()) {
        SourceUse src = sources.stream().filter(x -> x.oid() == oid).findFirst().orElseThrow();
        return "(SELECT NULL::smallint AS " + q("__pgt_weight") + ", " + q("t") + ".* FROM "
            + q(src.schema()) + "." + q(src.table()) + " AS " + q("t") + " WHERE false)";
      }
      return "(" + String.join(" UNION ALL ", parts) + ")";
    });
  }

  private static String fill(String template, String table, String prev) {
    return DeltaContext.expandChanges(template.replace(DeltaContext.STORAGE, table)
        .replace(DeltaContext.PREV_FRONTIER, prev), DeltaContext::bufferBatch);
  }
}
