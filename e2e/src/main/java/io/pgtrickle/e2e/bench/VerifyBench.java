package io.pgtrickle.e2e.bench;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.EmbeddedPostgresServer;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.verify.StreamTableVerifier;
import io.pgtrickle.operator.verify.Verification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What {@code pgtrickle verify} costs on the standard workload's data: a scan stream table of 1,000,000 rows and
 * an aggregate over 1,000,000 source rows (1,000 groups), verified with no change pending, with a 1 % batch pending
 * (applied in the verification's transaction, then rolled back), and with a drift (one row changed by hand, which
 * makes the comparison count and show the rows with {@code EXCEPT ALL}). Medians of {@code -Dbench.reps} (default 5)
 * verifications after one warm-up, each through {@link StreamTableVerifier} as the CLI and the scheduler call it.
 * Run with {@code BENCH_MAIN=VerifyBench ./bench.sh} ({@code -Dbench.rows=100000} for another size).
 */
public final class VerifyBench {
    private VerifyBench() {
    }

    public static void main(String[] args) throws Exception {
        long n = Long.getLong("bench.rows", 1_000_000L);
        int reps = Integer.getInteger("bench.reps", 5);
        String[][] scenarios = {
                {"scan", "SELECT id, grp, val, txt FROM src"},
                {"aggregate", "SELECT grp, count(*) AS n, sum(val) AS total FROM src GROUP BY grp"}};
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(null)) {
            pg.createDatabase("verify_bench");
            JdbcDatabase db = JdbcDatabase.fromUrl(pg.jdbcUrl("verify_bench"));
            try (Connection c = db.connect()) {
                WorkloadBench.load(c, n);
                exec(c, "VACUUM ANALYZE src");
            }
            StreamTableService service = new StreamTableService(db);
            StreamTableVerifier verifier = new StreamTableVerifier(db);
            System.out.printf("PostgreSQL %d, %,d source rows, median of %d verifications (ms)%n", pg.majorVersion(),
                    n, reps);
            System.out.printf("%-10s %12s %14s %16s %10s%n", "scenario", "table rows", "none pending",
                    "1 % pending", "drift");
            for (String[] s : scenarios) {
                StreamTableKey key = new StreamTableKey("bench", s[0]);
                service.apply(new StreamTableDefinition(key, "bench-" + s[0], new QualifiedName("public", s[0]), s[1],
                        RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L));
                try (Connection c = db.connect()) {
                    exec(c, "VACUUM ANALYZE " + s[0]);
                }
                Verification.Result first = verifier.verify(key, 10);
                expect(first, Verification.Verdict.CONSISTENT);
                double idle = median(verifier, key, reps, Verification.Verdict.CONSISTENT);
                long pct = n / 100;
                try (Connection c = db.connect()) {
                    // 1 % of the source rows changed (values of rows spread over the table) and not refreshed yet
                    exec(c, "UPDATE src SET val = val + 1 WHERE id % 100 = 7 AND id <= " + (100 * pct));
                }
                double pending = median(verifier, key, reps, Verification.Verdict.CONSISTENT);
                service.refresh(key);
                try (Connection c = db.connect()) {
                    exec(c, "SET pgtrickle.maintaining = on");
                    exec(c, "UPDATE " + s[0] + " SET " + (s[0].equals("scan") ? "val = -1" : "n = -1")
                            + " WHERE ctid = (SELECT min(ctid) FROM " + s[0] + ")");
                }
                double drift = median(verifier, key, reps, Verification.Verdict.DIFFERS);
                System.out.printf("%-10s %,12d %14.0f %16.0f %10.0f%n", s[0], first.difference().rows(), idle, pending,
                        drift);
            }
        }
    }

    private static double median(StreamTableVerifier verifier, StreamTableKey key, int reps,
                                 Verification.Verdict expected) {
        expect(verifier.verify(key, 10), expected); // warm-up
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            Verification.Result r = verifier.verify(key, 10);
            expect(r, expected);
            ms.add(r.durationMs());
        }
        Collections.sort(ms);
        return ms.get(ms.size() / 2);
    }

    private static void expect(Verification.Result r, Verification.Verdict expected) {
        if (r.verdict() != expected) {
            throw new IllegalStateException(r.key() + ": expected " + expected + ", got " + r.verdict() + ": "
                    + r.message());
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
