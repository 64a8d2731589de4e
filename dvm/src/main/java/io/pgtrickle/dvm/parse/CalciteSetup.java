package io.pgtrickle.dvm.parse;

import io.pgtrickle.dvm.catalog.Catalog;
import io.pgtrickle.dvm.emit.PgDialect;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.config.NullCollation;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.fun.SqlLibrary;
import org.apache.calcite.sql.fun.SqlLibraryOperatorTableFactory;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlNameMatchers;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.SqlValidatorUtil;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.StandardConvertletTable;

/**
 * Every Calcite setting of the engine, in one place. Each non-obvious one says why.
 *
 * <p>The goal is for Calcite to read SQL the way PostgreSQL reads it: parse with the Babel
 * grammar, fold unquoted identifiers to lower case, resolve names case-sensitively through the
 * role's {@code search_path}, type with PostgreSQL's rules, and write SQL back in PostgreSQL's
 * dialect. Calcite is a planner here, never an executor.
 */
public final class CalciteSetup {
  private CalciteSetup() {}

  /** The dialect every emitted expression is unparsed with. */
  public static SqlDialect dialect() {
    return PgDialect.INSTANCE;
  }

  /** Parser: Babel, PostgreSQL identifier rules. */
  public static SqlParser.Config parserConfig() {
    return SqlParser.config()
        // Babel accepts the widest syntax (::, ILIKE, ~, LIMIT/OFFSET, …); the core grammar
        // rejects everyday PostgreSQL.
        .withParserFactory(SqlBabelParserImpl.FACTORY)
        .withQuoting(Quoting.DOUBLE_QUOTE)
        // PostgreSQL folds unquoted identifiers to lower case and keeps quoted ones as written;
        // catalog names are stored that way, so lookups must then be exact.
        .withUnquotedCasing(Casing.TO_LOWER)
        .withQuotedCasing(Casing.UNCHANGED)
        .withCaseSensitive(true)
        .withConformance(conformance())
        // Identifiers up to PostgreSQL's NAMEDATALEN-1 are fine; longer ones PostgreSQL
        // truncates itself, so do not reject them here.
        .withIdentifierMaxLength(1024);
  }

  /**
   * BABEL conformance (GROUP BY ordinals and aliases, LIMIT, "!=": PostgreSQL allows them),
   * but with strict GROUP BY: PostgreSQL rejects non-grouped columns, and Calcite's lenient
   * mode rewrites them to ANY_VALUE (and crashes on CASE without ELSE).
   */
  public static org.apache.calcite.sql.validate.SqlConformance conformance() {
    return new org.apache.calcite.sql.validate.SqlDelegatingConformance(
        SqlConformanceEnum.BABEL) {
      @Override
      public boolean isNonStrictGroupBy() {
        return false;
      }
    };
  }

  /** Type factory with {@link PgTypeSystem}, so derived types agree with PostgreSQL. */
  public static RelDataTypeFactory typeFactory() {
    return new PgTypeFactory();
  }

  /**
   * Operators: SQL standard, Calcite's POSTGRESQL library, and ours ({@link PgOperators})
   * first so that ours win where PostgreSQL's signature differs from another library's.
   */
  public static SqlOperatorTable operatorTable() {
    return new CaseInsensitiveOperators(SqlOperatorTables.chain(
        PgOperators.table(),
        SqlStdOperatorTable.instance(),
        SqlLibraryOperatorTableFactory.INSTANCE.getOperatorTable(
            SqlLibrary.STANDARD, SqlLibrary.POSTGRESQL)));
  }

  /**
   * Function names are case-insensitive in PostgreSQL (unquoted ones fold to lower case, and
   * the parser folds them with the identifiers), but the validator looks operators up with the
   * catalog's case-sensitive matcher: without this, {@code count(*)} would not find COUNT.
   */
  private static final class CaseInsensitiveOperators implements SqlOperatorTable {
    private final SqlOperatorTable delegate;

    CaseInsensitiveOperators(SqlOperatorTable delegate) {
      this.delegate = delegate;
    }

    @Override
    public void lookupOperatorOverloads(org.apache.calcite.sql.SqlIdentifier opName,
        org.apache.calcite.sql.SqlFunctionCategory category,
        org.apache.calcite.sql.SqlSyntax syntax,
        List<org.apache.calcite.sql.SqlOperator> operatorList,
        org.apache.calcite.sql.validate.SqlNameMatcher nameMatcher) {
      List<org.apache.calcite.sql.SqlOperator> found = new ArrayList<>();
      delegate.lookupOperatorOverloads(opName, category, syntax, found,
          SqlNameMatchers.withCaseSensitive(false));
      // The STANDARD library repeats SqlStdOperatorTable's operators; the validator resolves a
      // parsed function only when exactly one overload is found, so drop the repeats.
      for (org.apache.calcite.sql.SqlOperator op : found) {
        if (operatorList.stream().noneMatch(o -> o == op)) {
          operatorList.add(op);
        }
      }
    }

    @Override
    public List<org.apache.calcite.sql.SqlOperator> getOperatorList() {
      return delegate.getOperatorList();
    }
  }

  /** Validator settings. */
  public static SqlValidator.Config validatorConfig() {
    return SqlValidator.Config.DEFAULT
        .withConformance(conformance())
        // A function Calcite does not know (md5, split_part, to_char, …) is not an error:
        // PostgreSQL is the judge; it is typed ANY and written back unchanged.
        .withLenientOperatorLookup(true)
        // Expand identifiers (a -> t.a) and * so the tree names every column it reads.
        .withIdentifierExpansion(true)
        // PostgreSQL sorts NULLs last ascending; matters only for the ORDER BY inside
        // string_agg/array_agg, which must be written back exactly.
        .withDefaultNullCollation(NullCollation.HIGH)
        // Implicit coercion mirrors PostgreSQL's (int = numeric, text = varchar, …).
        .withTypeCoercionEnabled(true)
        // Calcite's call rewrites (e.g. COALESCE to CASE) would change the SQL we write back.
        .withCallRewrite(false);
  }

  /** SQL-to-relational conversion. */
  public static SqlToRelConverter.Config sqlToRelConfig() {
    return SqlToRelConverter.config()
        // Sub-queries stay RexSubQuery here and are removed by the "subqueries" rule step,
        // which handles more shapes than the converter's expansion.
        .withExpand(false)
        .withDecorrelationEnabled(true)
        // Column pruning is done explicitly after decorrelation (RelFieldTrimmer), so scans
        // read only the columns the query needs: change capture keeps only those.
        .withTrimUnusedFields(false)
        // IN (1, 2, 3) stays an OR of equalities, never a join with VALUES.
        .withInSubQueryThreshold(Integer.MAX_VALUE)
        // ORDER BY inside a FROM sub-query has no meaning for a stored result.
        .withRemoveSortInSubQuery(true);
  }

  /** Connection config the catalog reader needs: case-sensitive, no magic. */
  static CalciteConnectionConfig connectionConfig() {
    Properties p = new Properties();
    p.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "true");
    p.setProperty(CalciteConnectionProperty.UNQUOTED_CASING.camelName(), Casing.TO_LOWER.name());
    p.setProperty(CalciteConnectionProperty.QUOTED_CASING.camelName(), Casing.UNCHANGED.name());
    return new CalciteConnectionConfigImpl(p);
  }

  /** Resolves table names through the catalog, along the role's search_path. */
  public static CalciteCatalogReader catalogReader(Catalog catalog, RelDataTypeFactory tf) {
    CalciteSchema root = CalciteSchema.createRootSchema(false, false, "",
        new CatalogSchema(catalog));
    List<List<String>> paths = new ArrayList<>();
    for (String schema : catalog.searchPath()) {
      paths.add(List.of(schema));
    }
    // The empty path last: fully qualified "schema.table" names resolve from the root.
    paths.add(List.of());
    return new SearchPathCatalogReader(root, paths, tf, connectionConfig());
  }

  /** A validator bound to one catalog. */
  public static SqlValidator validator(CalciteCatalogReader reader, RelDataTypeFactory tf) {
    SqlOperatorTable ops = SqlOperatorTables.chain(operatorTable(), reader);
    return SqlValidatorUtil.newValidator(ops, reader, tf, validatorConfig());
  }

  /** A cluster for conversion and rewriting; HepPlanner, as no cost-based search is needed. */
  public static RelOptCluster cluster(RelDataTypeFactory tf) {
    HepPlanner planner = new HepPlanner(HepProgram.builder().build());
    return RelOptCluster.create(planner, new RexBuilder(tf));
  }

  public static SqlToRelConverter converter(SqlValidator validator, CalciteCatalogReader reader,
      RelOptCluster cluster) {
    return new SqlToRelConverter((type, query, schema, path) -> null, validator, reader, cluster,
        StandardConvertletTable.INSTANCE, sqlToRelConfig());
  }

  /** CalciteCatalogReader whose multi-path constructor is protected. */
  private static final class SearchPathCatalogReader extends CalciteCatalogReader {
    SearchPathCatalogReader(CalciteSchema root, List<List<String>> paths, RelDataTypeFactory tf,
        CalciteConnectionConfig config) {
      super(root, SqlNameMatchers.withCaseSensitive(true), paths, tf, config);
    }
  }
}
