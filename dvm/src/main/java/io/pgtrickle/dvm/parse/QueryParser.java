package io.pgtrickle.dvm.parse;

import io.pgtrickle.dvm.catalog.Catalog;
import java.util.Optional;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.SqlToRelConverter;

/**
 * SQL text to relational algebra: PostgreSQL syntax mapping, parsing, PostgreSQL output naming,
 * validation against the catalog, conversion. Normalisation is the planner's job.
 */
public final class QueryParser {
  private QueryParser() {}

  /** Outcome of reading a query. */
  public sealed interface Result permits Converted, NotUnderstood {}

  /** Calcite understood the query. */
  public record Converted(RelRoot root, RelDataTypeFactory typeFactory) implements Result {}

  /**
   * Calcite could not read the query. Not an error for the engine: PostgreSQL judges the
   * query, and the plan is FULL with {@code reason}.
   */
  public record NotUnderstood(String reason) implements Result {}

  /** The query is not a single read-only SELECT: no plan is possible at all. */
  public static final class NotAQueryException extends IllegalArgumentException {
    public NotAQueryException(String message) {
      super(message);
    }
  }

  public static Result read(String sql, Catalog catalog) {
    Optional<String> refused = PgSyntax.unsupported(sql);
    if (refused.isPresent()) {
      return new NotUnderstood(refused.get());
    }
    String mapped = PgSyntax.rewrite(sql);
    SqlNode node;
    try {
      SqlNodeList statements = SqlParser.create(mapped, CalciteSetup.parserConfig())
          .parseStmtList();
      if (statements.size() != 1) {
        throw new NotAQueryException("a stream table is defined by exactly one SELECT; found "
            + statements.size() + " statements");
      }
      node = statements.get(0);
    } catch (SqlParseException e) {
      return new NotUnderstood("the incremental planner cannot parse this query ("
          + firstLine(e.getMessage()) + "); PostgreSQL runs it as written with FULL refreshes");
    }
    if (!node.isA(SqlKind.QUERY)) {
      throw new NotAQueryException("a stream table is defined by a read-only SELECT; got "
          + node.getKind().lowerName.replace('_', ' '));
    }
    PgOutputNames.apply(node);
    String duplicate = PgOutputNames.duplicateOutputName(node);
    if (duplicate != null) {
      throw new NotAQueryException("the column name " + duplicate + " appears twice in the "
          + "query's output; a table cannot have two columns of one name: give them distinct "
          + "aliases");
    }
    RelDataTypeFactory tf = CalciteSetup.typeFactory();
    CalciteCatalogReader reader = CalciteSetup.catalogReader(catalog, tf);
    SqlValidator validator = CalciteSetup.validator(reader, tf);
    SqlNode validated;
    try {
      validated = validator.validate(node);
    } catch (RuntimeException e) {
      return new NotUnderstood("the incremental planner cannot validate this query ("
          + firstLine(e.getMessage()) + "); PostgreSQL runs it as written with FULL refreshes");
    }
    RelOptCluster cluster = CalciteSetup.cluster(tf);
    SqlToRelConverter converter = CalciteSetup.converter(validator, reader, cluster);
    RelRoot root;
    try {
      root = converter.convertQuery(validated, false, true);
    } catch (RuntimeException e) {
      return new NotUnderstood("the incremental planner cannot translate this query ("
          + firstLine(e.getMessage()) + "); PostgreSQL runs it as written with FULL refreshes");
    }
    return new Converted(root, tf);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no detail";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
