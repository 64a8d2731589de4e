package io.pgtrickle.dvm.plan;

import io.pgtrickle.dvm.catalog.Catalog;
import io.pgtrickle.dvm.catalog.CatalogColumn;
import io.pgtrickle.dvm.catalog.CatalogTable;
import io.pgtrickle.dvm.delta.AggregateDeltaResult;
import io.pgtrickle.dvm.delta.DeltaBuilder;
import io.pgtrickle.dvm.delta.DeltaContext;
import io.pgtrickle.dvm.delta.RowRoot;
import io.pgtrickle.dvm.emit.MergeEmitter;
import io.pgtrickle.dvm.parse.PgTypes;
import io.pgtrickle.dvm.parse.QueryParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.sql2rel.RelFieldTrimmer;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * The entry point: {@code Planner.plan(query, catalog)} turns a stream table's query into a
 * {@link Plan}.
 *
 * <p>Pipeline: read (parse, validate, convert: {@link QueryParser}) → normalise (the named
 * {@link RuleSteps}) → decide the mode ({@link Support}) → derive the change, operator by
 * operator ({@link DeltaBuilder}) → emit the storage layout, initial load and MERGE.
 */
public final class Planner {
  private Planner() {}

  /**
   * Plans a query.
   *
   * @throws QueryParser.NotAQueryException if the text is not one read-only SELECT
   */
  public static Plan plan(String query, Catalog catalog) {
    return plan(query, catalog, Set.of());
  }

  /**
   * As {@link #plan(String, Catalog)}, skipping the named rule steps. Never fails for a query it
   * cannot maintain or a fault of its own (Calcite's {@code AssertionError}s included): the plan is
   * then FULL, from the user's text, with the failure as its reason.
   */
  public static Plan plan(String query, Catalog catalog, Set<String> skipSteps) {
    try {
      return planOrThrow(query, catalog, skipSteps);
    } catch (QueryParser.NotAQueryException notAQuery) {
      throw notAQuery;
    } catch (RuntimeException | AssertionError | StackOverflowError | LinkageError e) {
      return fullFromText(query, List.of("the incremental planner failed on this query ("
          + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
          + "); PostgreSQL runs it as written with FULL refreshes"));
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    String line = message.lines().findFirst().orElse("").strip();
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  private static Plan planOrThrow(String query, Catalog catalog, Set<String> skipSteps) {
    QueryParser.Result read = QueryParser.read(query, catalog);
    if (read instanceof QueryParser.NotUnderstood nu) {
      return fullFromText(query, List.of(nu.reason()));
    }
    QueryParser.Converted c = (QueryParser.Converted) read;
    RelNode rel = c.root().project(true);
    List<String> names = rel.getRowType().getFieldNames();
    String correlated = CorrelatedAggregates.reason(rel);
    if (correlated != null) {
      return fullFromText(query, List.of(correlated));
    }
    rel = RuleSteps.run(rel, skipSteps);
    List<OutputColumn> columns = outputColumns(rel, names, catalog);
    List<String> reasons = Support.reasons(rel, names, catalog);
    if (!reasons.isEmpty()) {
      return new Plan(query, Mode.FULL, reasons, columns, List.of(), false,
          Support.readsOnlyItsTables(rel, catalog) ? changeSignals(rel, catalog) : List.of(),
          "SELECT * FROM " + io.pgtrickle.dvm.emit.SqlText.sub(stripSemicolon(query)) + " AS "
              + io.pgtrickle.dvm.emit.SqlText.q("q"), null, null);
    }
    DeltaContext ctx = new DeltaContext(c.typeFactory());
    DeltaBuilder builder = new DeltaBuilder(ctx, c.typeFactory());
    builder.analyse(rel);

    List<RelNode> above = new ArrayList<>();
    RelNode n = rel;
    while (n instanceof Project || n instanceof Filter) {
      above.add(n);
      n = n.getInput(0);
    }
    String storageSelect;
    String merge;
    String finalCte;
    List<String> hidden;
    boolean counted = false;
    if (n instanceof Aggregate agg) {
      Collections.reverse(above);
      AggregateDeltaResult r = builder.deriveAggregate(agg, above, names);
      storageSelect = r.storageSelect();
      hidden = r.hiddenColumns();
      finalCte = r.applyCte();
      merge = MergeEmitter.aggregate(DeltaContext.STORAGE, r.applyCte(), names,
          r.hiddenColumns().subList(0, r.hiddenColumns().size()));
      hidden = new ArrayList<>(List.of("__pgt_row_id"));
      hidden.addAll(r.hiddenColumns());
    } else {
      RowRoot.Result r = RowRoot.derive(builder.derive(rel), names,
          rel.getRowType().getFieldList().stream().map(f -> f.getType()).toList(), ctx);
      storageSelect = r.storageSelect();
      hidden = r.hiddenColumns();
      counted = r.counted();
      finalCte = r.netCte();
      merge = counted ? MergeEmitter.counted(DeltaContext.STORAGE, r.netCte(), names)
          : MergeEmitter.keyed(DeltaContext.STORAGE, r.netCte(), names, comparable(rel));
    }
    String with = ctx.withClause();
    String refresh = with + "\n" + merge;
    String delta = with + "\nSELECT * FROM " + io.pgtrickle.dvm.emit.SqlText.q(finalCte);
    List<SourceUse> sources = new ArrayList<>();
    for (CatalogTable t : ctx.sources()) {
      sources.add(new SourceUse(t.oid(), t.schema(), t.name(), ctx.columnsOf(t)));
    }
    List<OutputColumn> hiddenCols = hidden.stream().map(h -> new OutputColumn(h, null)).toList();
    return new Plan(query, Mode.DIFFERENTIAL, List.of(), columns, hiddenCols, counted, sources,
        storageSelect, refresh, delta);
  }

  /**
   * For a query maintained in FULL whose result depends on its tables alone: the tables, each with
   * the columns the query reads, which capture keeps. Any change to them marks a refresh as having
   * something to recompute; and, as for DIFFERENTIAL, PostgreSQL refuses to change the type of a
   * captured column, which would rewrite its values without a trigger firing. Empty when a scan is
   * not a catalog table.
   */
  private static List<SourceUse> changeSignals(RelNode rel, Catalog catalog) {
    Map<Long, SortedSet<Integer>> read = new LinkedHashMap<>();
    Map<Long, CatalogTable> tables = new HashMap<>();
    RelNode trimmed;
    try {
      trimmed = new RelFieldTrimmer(null,
          RelFactories.LOGICAL_BUILDER.create(rel.getCluster(), null))
          .trim(rel);
    } catch (RuntimeException cannotTrim) {
      trimmed = rel; // every column of every table counts as read
    }
    if (!readColumns(trimmed, null, catalog, read, tables)) {
      return List.of();
    }
    List<SourceUse> out = new ArrayList<>();
    for (var e : read.entrySet()) {
      CatalogTable t = tables.get(e.getKey());
      List<String> columns = e.getValue().stream().map(i -> t.columns().get(i).name()).toList();
      out.add(new SourceUse(t.oid(), t.schema(), t.name(),
          columns.isEmpty() ? List.of(t.columns().get(0).name()) : columns));
    }
    out.sort(Comparator.comparing(SourceUse::schema).thenComparing(SourceUse::table));
    return out;
  }

  /**
   * Adds, per table scanned under {@code node}, the columns read: those a projection right above the
   * scan references (the field trimmer puts one there when not every column is used), else all.
   */
  private static boolean readColumns(RelNode node, RelNode parent, Catalog catalog,
      Map<Long, SortedSet<Integer>> read,
      Map<Long, CatalogTable> tables) {
    if (node instanceof TableScan scan) {
      List<String> qn = scan.getTable().getQualifiedName();
      var table = qn.size() < 2 ? Optional.<CatalogTable>empty()
          : catalog.table(qn.get(qn.size() - 2), qn.get(qn.size() - 1));
      if (table.isEmpty() || table.get().columns().isEmpty()) {
        return false;
      }
      CatalogTable t = table.get();
      tables.put(t.oid(), t);
      SortedSet<Integer> cols = read.computeIfAbsent(t.oid(), k -> new TreeSet<>());
      ImmutableBitSet used = parent instanceof Project p
          ? RelOptUtil.InputFinder.bits(p.getProjects(), null)
          : ImmutableBitSet.range(scan.getRowType().getFieldCount());
      List<String> fields = scan.getRowType().getFieldNames();
      List<String> columns = t.columns().stream().map(CatalogColumn::name).toList();
      for (int i : used) {
        int column = i < fields.size() ? columns.indexOf(fields.get(i)) : -1;
        if (column < 0) {
          return false; // the scan's fields are not the catalog's columns: do not guess
        }
        cols.add(column);
      }
      return true;
    }
    for (RelNode in : node.getInputs()) {
      if (!readColumns(in, node, catalog, read, tables)) {
        return false;
      }
    }
    return true;
  }

  private static Plan fullFromText(String query, List<String> reasons) {
    return new Plan(query, Mode.FULL, reasons, List.of(), List.of(), false, List.of(),
        "SELECT * FROM " + io.pgtrickle.dvm.emit.SqlText.sub(stripSemicolon(query)) + " AS "
            + io.pgtrickle.dvm.emit.SqlText.q("q"), null, null);
  }

  private static String stripSemicolon(String q) {
    String s = q.strip();
    while (s.endsWith(";")) {
      s = s.substring(0, s.length() - 1).strip();
    }
    return s;
  }

  /** Whether every user column has an equality operator (json, xml, point have none). */
  private static boolean comparable(RelNode rel) {
    for (RelDataTypeField f : rel.getRowType().getFieldList()) {
      if (PgTypes.lacksEquality(f.getType())) {
        return false;
      }
    }
    return true;
  }

  private static List<OutputColumn> outputColumns(RelNode rel, List<String> names,
      Catalog catalog) {
    RelMetadataQuery mq = rel.getCluster().getMetadataQuery();
    List<OutputColumn> out = new ArrayList<>();
    List<RelDataTypeField> fields = rel.getRowType().getFieldList();
    for (int i = 0; i < fields.size(); i++) {
      String type = PgTypes.toPg(fields.get(i).getType());
      if (type == null) {
        Set<RelColumnOrigin> origins = mq.getColumnOrigins(rel, i);
        if (origins != null && origins.size() == 1) {
          RelColumnOrigin o = origins.iterator().next();
          if (!o.isDerived()) {
            List<String> qn = o.getOriginTable().getQualifiedName();
            var t = catalog.table(qn.get(qn.size() - 2), qn.get(qn.size() - 1));
            String col = o.getOriginTable().getRowType().getFieldNames()
                .get(o.getOriginColumnOrdinal());
            type = t.flatMap(x -> x.column(col)).map(cc -> cc.type()).orElse(null);
          }
        }
      }
      out.add(new OutputColumn(names.get(i), type));
    }
    return out;
  }
}
