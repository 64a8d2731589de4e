package io.pgtrickle.e2e.bench;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.EmbeddedPostgresServer;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.verify.ResultComparison;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/**
 * What PostgreSQL's judgement of an incremental plan costs an apply: for the workload's scan and aggregate
 * queries over 100,000 and 1,000,000 source rows, the whole apply (check, plan, capture, load, the
 * comparison with the query and the EXPLAIN of the refresh statement) and, apart, the comparison alone in a
 * REPEATABLE READ transaction as the apply runs it. Prints a table. Run with
 * {@code BENCH_MAIN=InstallCheckBench ./bench.sh}.
 */
public final class InstallCheckBench {
    private InstallCheckBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Long> sizes = List.of(100_000L, 1_000_000L);
        List<String[]> queries = List.of(
                new String[] {"scan", "SELECT id, grp, val, txt FROM src"},
                new String[] {"aggregate", "SELECT grp, count(*) AS n, sum(val) AS total FROM src GROUP BY grp"});
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(null)) {
            System.out.printf("PostgreSQL %d: apply with the plan check, and the check's comparison alone%n",
                    pg.majorVersion());
            System.out.printf("%-10s %9s %12s %14s %8s%n", "scenario", "rows", "apply ms", "compare ms", "share");
            for (long n : sizes) {
                String db = "check_" + n;
                pg.createDatabase(db);
                JdbcDatabase target = JdbcDatabase.fromUrl(pg.jdbcUrl(db));
                try (Connection c = target.connect(); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE src (id bigint PRIMARY KEY, grp int, val numeric(12,2), flag boolean,"
                            + " txt text)");
                    s.execute("INSERT INTO src SELECT i, i % 1000, (i % 977) * 1.25, i % 2 = 0, md5(i::text)"
                            + " FROM generate_series(1, " + n + ") i");
                    s.execute("VACUUM ANALYZE src");
                }
                StreamTableService service = new StreamTableService(target);
                for (String[] q : queries) {
                    String name = q[0];
                    long t0 = System.nanoTime();
                    service.apply(new StreamTableDefinition(new StreamTableKey("bench", name), "uid-" + name,
                            QualifiedName.parse(name), q[1], RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L));
                    double applyMs = (System.nanoTime() - t0) / 1e6;
                    double compareMs;
                    try (Connection c = target.connect()) {
                        c.setAutoCommit(false);
                        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                        long t1 = System.nanoTime();
                        ResultComparison.Difference d = ResultComparison.compare(c, QualifiedName.parse(name), q[1], 3);
                        compareMs = (System.nanoTime() - t1) / 1e6;
                        c.rollback();
                        if (!d.equal()) {
                            throw new IllegalStateException(name + ": " + d.summary());
                        }
                    }
                    System.out.printf("%-10s %9d %12.0f %14.0f %7.0f%%%n", name, n, applyMs, compareMs,
                            100 * compareMs / applyMs);
                }
            }
        }
    }
}
