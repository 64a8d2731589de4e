package io.pgtrickle.dvm.bench;

import io.pgtrickle.dvm.catalog.Catalog;
import io.pgtrickle.dvm.catalog.InMemoryCatalog;
import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.Planner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of planning one stream table: {@link Planner#plan} (parse, validate, convert, normalise,
 * decide, derive the delta, emit) plus filling the refresh and delta SQL templates — what the
 * controller pays per {@code StreamTable} reconcile that (re)plans a query.
 *
 * <p>The catalog is the standard benchmark workload's ({@code src}, {@code dim}); the queries
 * are its five scenarios plus richer shapes. Not a test (no {@code Test}/{@code IT}
 * suffix): run it with {@code dvm/bench-planner.sh}, see {@code docs/performance.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class PlannerBenchmark {

  /** Scenario name → query. The first five are the standard workload's scenarios verbatim. */
  static final Map<String, String> QUERIES = new LinkedHashMap<>();

  static {
    QUERIES.put("scan", "SELECT id, grp, val, txt FROM src");
    QUERIES.put("filter", "SELECT id, val FROM src WHERE flag");
    QUERIES.put("aggregate", "SELECT grp, count(*) AS n, sum(val) AS total FROM src GROUP BY grp");
    QUERIES.put("join", "SELECT s.id, s.val, d.name FROM src s JOIN dim d ON d.grp = s.grp");
    QUERIES.put("join_agg", "SELECT d.region, count(*) AS n, sum(s.val) AS total "
        + "FROM src s JOIN dim d ON d.grp = s.grp GROUP BY d.region");
    QUERIES.put("left_join",
        "SELECT s.id, s.val, d.name FROM src s LEFT JOIN dim d ON d.grp = s.grp");
    QUERIES.put("min_max",
        "SELECT grp, min(val) AS lo, max(val) AS hi, avg(val) AS mean FROM src GROUP BY grp");
    QUERIES.put("count_distinct",
        "SELECT grp, count(DISTINCT txt) AS n FROM src GROUP BY grp");
    QUERIES.put("union_all", "SELECT grp, txt AS label FROM src WHERE flag "
        + "UNION ALL SELECT grp, name FROM dim WHERE region = 'r1'");
    QUERIES.put("cte", "WITH t AS (SELECT grp, sum(val) AS total FROM src WHERE flag GROUP BY grp) "
        + "SELECT d.region, sum(t.total) AS total, count(*) AS groups "
        + "FROM t JOIN dim d ON d.grp = t.grp GROUP BY d.region");
    QUERIES.put("exists", "SELECT d.grp, d.name FROM dim d "
        + "WHERE EXISTS (SELECT 1 FROM src s WHERE s.grp = d.grp AND s.flag)");
  }

  /** The standard workload's tables. */
  static final Catalog CATALOG = InMemoryCatalog.builder()
      .table("public", "src", 16384, "id bigint primary key, grp int not null, "
          + "val numeric not null, flag boolean not null, txt text not null")
      .table("public", "dim", 16385, "grp int primary key, name text not null, "
          + "region text not null")
      .searchPath(List.of("public"))
      .build();

  static final String STORAGE = "\"public\".\"bench_st\"";
  static final String FRONTIER = "$1";

  @Param({"scan", "filter", "aggregate", "join", "join_agg",
      "left_join", "min_max", "count_distinct", "union_all", "cte", "exists"})
  public String scenario;

  private String query;

  @Setup(Level.Trial)
  public void setUp() {
    query = QUERIES.get(scenario);
    if (query == null) {
      throw new IllegalArgumentException("unknown scenario " + scenario + "; known: "
          + QUERIES.keySet());
    }
    // A benchmark of the FULL fallback would measure something else: fail loudly instead.
    Plan plan = Planner.plan(query, CATALOG);
    if (!plan.isDifferential()) {
      throw new IllegalStateException(scenario + " plans FULL: " + plan.reasons());
    }
  }

  /** Plans the query and emits the refresh MERGE and the delta SELECT. */
  @Benchmark
  public void planAndEmit(Blackhole bh) {
    Plan plan = Planner.plan(query, CATALOG);
    bh.consume(plan.refreshSql(STORAGE, FRONTIER));
    bh.consume(plan.deltaSelectSql(STORAGE, FRONTIER));
  }
}
