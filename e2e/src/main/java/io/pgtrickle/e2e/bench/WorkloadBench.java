package io.pgtrickle.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.EmbeddedPostgresServer;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.db.PooledDatabase;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.refresh.RefreshResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The standard workload of {@code shared/bench/WORKLOAD.md}: for each scenario, table size and change
 * rate, the median of several runs of MATVIEW ({@code REFRESH MATERIALIZED VIEW}), our FULL refresh,
 * FLOOR (one MERGE of the precomputed exact net change into a copy of the storage table) and our
 * DIFFERENTIAL refresh, all after the same batch in the same run. Writes
 * {@code e2e/target/bench/results.json} and prints a table. Run with {@code ./bench.sh}.
 */
public final class WorkloadBench {
    static final Map<String, String> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("scan", "SELECT id, grp, val, txt FROM src");
        SCENARIOS.put("filter", "SELECT id, val FROM src WHERE flag");
        SCENARIOS.put("aggregate", "SELECT grp, count(*) AS n, sum(val) AS total FROM src GROUP BY grp");
        SCENARIOS.put("join", "SELECT s.id, s.val, d.name FROM src s JOIN dim d ON d.grp = s.grp");
        SCENARIOS.put("join_agg", "SELECT d.region, count(*) AS n, sum(s.val) AS total FROM src s"
                + " JOIN dim d ON d.grp = s.grp GROUP BY d.region");
    }

    /** One line of results.json. */
    public record Result(String scenario, long rows, double changePct, double matviewMs, double fullMs,
                         double floorMs, double diffMs, double speedup, String diffModes) {
    }

    private final EmbeddedPostgresServer pg;
    private final int reps;
    private final List<Result> results = new ArrayList<>();
    private final Map<String, Object> extras = new LinkedHashMap<>();

    WorkloadBench(EmbeddedPostgresServer pg, int reps) {
        this.pg = pg;
        this.reps = reps;
    }

    public static void main(String[] args) throws Exception {
        List<Long> sizes = longs(System.getProperty("bench.sizes", "10000,100000"));
        List<Double> pcts = doubles(System.getProperty("bench.pcts", "1,10,50"));
        List<Long> largeSizes = longs(System.getProperty("bench.large", "1000000"));
        List<String> scenarios = List.of(System.getProperty("bench.scenarios", String.join(",", SCENARIOS.keySet()))
                .split(","));
        int reps = Integer.getInteger("bench.reps", 5);
        Path out = Path.of(System.getProperty("bench.out", "e2e/target/bench/results.json"));
        if (System.getProperty("bench.explain") != null && System.getProperty("pgtrickle.pg.logdir") == null) {
            Path logs = out.toAbsolutePath().resolveSibling("pglog");
            Files.createDirectories(logs);
            System.setProperty("pgtrickle.pg.logdir", logs.toString());
        }
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(null)) {
            System.out.println("PostgreSQL " + pg.majorVersion() + "; " + reps + " runs per point (median), after a warm-up");
            WorkloadBench bench = new WorkloadBench(pg, reps);
            for (long n : sizes) {
                bench.run(n, pcts, scenarios);
            }
            for (long n : largeSizes) {
                if (!sizes.contains(n)) {
                    bench.run(n, List.of(1.0), scenarios);
                }
            }
            bench.write(out);
        }
    }

    void run(long n, List<Double> pcts, List<String> scenarios) throws Exception {
        String dbName = "bench_" + n;
        pg.createDatabase(dbName);
        explainSlowStatements(dbName);
        JdbcDatabase raw = JdbcDatabase.fromUrl(pg.jdbcUrl(dbName));
        try (PooledDatabase db = new PooledDatabase(raw, 4); Connection c = raw.connect()) {
            StreamTableService service = new StreamTableService(db);
            load(c, n);
            for (String s : scenarios) {
                exec(c, "CREATE MATERIALIZED VIEW mv_" + s + " AS " + SCENARIOS.get(s));
                service.apply(def("st_" + s, SCENARIOS.get(s), RefreshMode.AUTO));
                service.apply(def("stf_" + s, SCENARIOS.get(s), RefreshMode.FULL));
            }
            warmUp(c, service, scenarios);
            exec(c, "VACUUM ANALYZE");
            for (double p : pcts) {
                exec(c, "SELECT setseed(0.42)");
                Map<String, List<double[]>> samples = new LinkedHashMap<>();
                Map<String, List<String>> modes = new LinkedHashMap<>();
                List<Double> cdc = new ArrayList<>();
                for (int rep = 0; rep <= reps; rep++) {
                    makeBatch(c, n, p);
                    for (String s : scenarios) {
                        exec(c, "DROP TABLE IF EXISTS floor_" + s);
                        // created the way ours is: same columns, key and storage parameters (fillfactor)
                        exec(c, "CREATE TABLE floor_" + s + " (LIKE st_" + s + " INCLUDING ALL)"
                                + storageParameters(c, "st_" + s));
                        exec(c, "INSERT INTO floor_" + s + " SELECT * FROM st_" + s);
                    }
                    double withCapture = timed(c, BATCH.replace("{src}", "src"));
                    double without = timed(c, BATCH.replace("{src}", "src_nocap"));
                    if (rep > 0) {
                        cdc.add(withCapture / without);
                    }
                    for (String s : scenarios) {
                        prepareFloor(c, service, s);
                        long t0 = System.nanoTime();
                        RefreshResult r = service.refresh(new StreamTableKey("bench", "st_" + s));
                        double diff = (System.nanoTime() - t0) / 1e6;
                        service.cleanupAfter(r); // housekeeping after the commit, untimed
                        t0 = System.nanoTime();
                        RefreshResult f = service.refresh(new StreamTableKey("bench", "stf_" + s));
                        double full = (System.nanoTime() - t0) / 1e6;
                        service.cleanupAfter(f); // untimed, as for DIFF
                        double mv = timed(c, "REFRESH MATERIALIZED VIEW mv_" + s);
                        double floor = timed(c, floorMerge(c, s));
                        if (rep > 0) {
                            samples.computeIfAbsent(s, k -> new ArrayList<>()).add(new double[] {mv, full, floor, diff});
                            modes.computeIfAbsent(s, k -> new ArrayList<>()).add(r.mode());
                        }
                    }
                }
                for (String s : scenarios) {
                    double[] m = medians(samples.get(s));
                    Result res = new Result(s, n, p, round(m[0]), round(m[1]), round(m[2]), round(m[3]),
                            round(m[0] / m[3]), summarize(modes.get(s)));
                    results.add(res);
                    System.out.printf("%-10s %9d %5.1f%%  matview %9.2f  full %9.2f  floor %9.2f  diff %9.2f"
                                    + "  speedup %6.2fx  diff/floor %5.2f  (%s)%n", s, n, p, res.matviewMs(), res.fullMs(),
                            res.floorMs(), res.diffMs(), res.speedup(), res.diffMs() / res.floorMs(), res.diffModes());
                }
                extras.put("cdcWriteOverhead_" + n + "_" + p + "pct", round(median(cdc)));
                System.out.printf("CDC write overhead (batch DML with capture / without) at %d rows, %.0f%%: %.2fx%n", n, p,
                        median(cdc));
            }
            singleRowUpdates(c, dbName, n);
            zeroChange(service, n, scenarios);
        }
    }

    /**
     * The write path's cost for OLTP: single-row autocommit UPDATE throughput on the captured source ÷ on
     * the same table without capture, as WORKLOAD.md defines it: {@code pgbench -n -c1 -t 2000} running
     * {@code UPDATE src SET val = :v::numeric/100, flag = NOT flag WHERE id = :id}, {@code synchronous_commit}
     * on. pgbench when it is on the PATH (the figure then compares with the peer's); otherwise the same
     * loop from one JDBC connection, said in the output. Five alternating rounds; the first pair is a
     * warm-up; the median ratio of the other four.
     */
    private void singleRowUpdates(Connection c, String dbName, long n) throws Exception {
        // after the batches both tables hold dead rows that autovacuum would be cleaning up during the rounds
        exec(c, "VACUUM ANALYZE src, src_nocap");
        boolean pgbench = onPath("pgbench");
        List<Double> ratios = new ArrayList<>();
        List<Double> captured = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 5; round++) {
            double without = pgbench ? pgbenchTps(dbName, "src_nocap", n) : jdbcTps(c, "src_nocap", n, random);
            double with = pgbench ? pgbenchTps(dbName, "src", n) : jdbcTps(c, "src", n, random);
            if (round > 0) {
                plain.add(without);
                captured.add(with);
                ratios.add(with / without);
            }
        }
        extras.put("singleRowUpdateThroughputRatio_" + n, round(median(ratios)));
        extras.put("singleRowUpdatesPerSecondCaptured_" + n, round(median(captured)));
        extras.put("singleRowUpdatesPerSecondPlain_" + n, round(median(plain)));
        extras.put("singleRowUpdateClient", pgbench ? "pgbench" : "jdbc");
        System.out.printf("single-row UPDATE throughput with capture / without at %d rows (%s): %.2f (%.0f / %.0f per"
                + " second)%n", n, pgbench ? "pgbench" : "JDBC, no pgbench on the PATH", median(ratios), median(captured),
                median(plain));
    }

    private static String updateSql(String table) {
        return "UPDATE " + table + " SET val = :v::numeric / 100, flag = NOT flag WHERE id = :id";
    }

    private double pgbenchTps(String dbName, String table, long n) throws Exception {
        Path script = Files.createTempFile("pgt-update", ".sql");
        try {
            Files.writeString(script, "\\set id random(1, " + n + ")\n\\set v random(1, 100000)\n" + updateSql(table) + ";\n");
            ProcessBuilder pb = new ProcessBuilder("pgbench", "-n", "-c1", "-t", "2000", "-f", script.toString(),
                    "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", EmbeddedPostgresServer.SUPERUSER, dbName);
            pb.environment().put("PGOPTIONS", "-c synchronous_commit=on");
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("pgbench failed: " + out);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("tps = ([0-9.]+)").matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("no tps in pgbench's output: " + out);
            }
            return Double.parseDouble(m.group(1));
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static double jdbcTps(Connection c, String table, long n, java.util.Random random) throws SQLException {
        int count = 2000;
        exec(c, "SET synchronous_commit = on");
        try (java.sql.PreparedStatement ps = c.prepareStatement(updateSql(table).replace(":v", "?").replace(":id", "?"))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                ps.setInt(1, 1 + random.nextInt(100_000));
                ps.setLong(2, 1 + (long) (random.nextDouble() * n));
                ps.executeUpdate();
            }
            return count / ((System.nanoTime() - t0) / 1e9);
        } finally {
            exec(c, "RESET synchronous_commit");
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    /**
     * With {@code -Dbench.explain=MS}, every statement slower than MS milliseconds is logged with its
     * {@code EXPLAIN ANALYZE} (auto_explain) to the server log, in {@code pglog/} beside the results: the
     * profile of a refresh as the benchmark runs it, with its plans and caches as they are.
     */
    private void explainSlowStatements(String dbName) throws SQLException {
        String ms = System.getProperty("bench.explain");
        if (ms == null || ms.isBlank()) {
            return;
        }
        try (Connection c = JdbcDatabase.fromUrl(pg.jdbcUrl(dbName)).connect()) {
            String db = '"' + dbName + '"';
            exec(c, "ALTER DATABASE " + db + " SET session_preload_libraries = 'auto_explain'");
            exec(c, "ALTER DATABASE " + db + " SET auto_explain.log_min_duration = " + Integer.parseInt(ms.trim()));
            exec(c, "ALTER DATABASE " + db + " SET auto_explain.log_analyze = on");
            exec(c, "ALTER DATABASE " + db + " SET auto_explain.log_buffers = on");
        }
    }

    /**
     * Runs the refresh path until the JVM has compiled it, as it is in an operator that has been running
     * for a while: {@code -Dbench.warmup} rounds (default 300) of a one-row change and a refresh of each
     * stream table. Measured without it, the first DIFFERENTIAL refreshes of a run execute the client's
     * code in the interpreter. The rounds' batches are below the size AUTO learns from, so they do not
     * change its decisions.
     */
    private static void warmUp(Connection c, StreamTableService service, List<String> scenarios) throws SQLException {
        int rounds = Integer.getInteger("bench.warmup", 300);
        for (int i = 0; i < rounds; i++) {
            exec(c, "UPDATE src SET val = val + 1 WHERE id = " + (1 + i));
            for (String s : scenarios) {
                service.cleanupAfter(service.refresh(new StreamTableKey("bench", "st_" + s)));
            }
        }
    }

    /**
     * The zero-change refresh, first as measured after the batches, then after 3,000 more refreshes with
     * the scheduler's housekeeping: a refresh must not get dearer as its stream table's catalog row and
     * history are rewritten (it did: 0.9 ms grew to 2.4 ms before the history had indexes and retention,
     * and the catalog a fillfactor).
     */
    private void zeroChange(StreamTableService service, long n, List<String> scenarios) throws SQLException {
        for (String s : scenarios) {
            service.refresh(new StreamTableKey("bench", "st_" + s));
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 3030; i++) {
            String s = scenarios.get(i % scenarios.size());
            long t0 = System.nanoTime();
            RefreshResult r = service.refresh(new StreamTableKey("bench", "st_" + s));
            times.add((System.nanoTime() - t0) / 1e6);
            service.cleanupAfter(r);
        }
        double first = median(times.subList(5, 30));
        double last = median(times.subList(times.size() - 500, times.size()));
        extras.put("zeroChangeRefreshMs_" + n, round(first));
        extras.put("zeroChangeRefreshMsAfter3000_" + n, round(last));
        System.out.printf("zero-change refresh at %d rows: %.2f ms (median); %.2f ms after 3,000 more refreshes%n",
                n, first, last);
        // The FULL-mode stream tables: with their sources captured, a refresh with no change only checks.
        List<Double> full = new ArrayList<>();
        for (int i = 0; i < 5 * scenarios.size() + 20; i++) {
            String s = scenarios.get(i % scenarios.size());
            long t0 = System.nanoTime();
            RefreshResult r = service.refresh(new StreamTableKey("bench", "stf_" + s));
            if (i >= scenarios.size()) { // the first round may still have a change to recompute
                full.add((System.nanoTime() - t0) / 1e6);
            }
            service.cleanupAfter(r);
        }
        extras.put("zeroChangeFullModeRefreshMs_" + n, round(median(full)));
        System.out.printf("zero-change refresh of the FULL-mode stream tables at %d rows: %.2f ms (median)%n", n,
                median(full));
    }

    private static StreamTableDefinition def(String name, String query, RefreshMode mode) {
        return new StreamTableDefinition(new StreamTableKey("bench", name), "bench-" + name,
                new QualifiedName("public", name), query, mode, "1h", false, ReclaimPolicy.Delete, 1L);
    }

    static void load(Connection c, long n) throws SQLException {
        exec(c, "SELECT setseed(0.42)");
        exec(c, "CREATE TABLE src (id bigint PRIMARY KEY, grp int NOT NULL, val numeric NOT NULL, flag boolean NOT NULL,"
                + " txt text NOT NULL)");
        exec(c, "INSERT INTO src SELECT i, i % 1000, round((random() * 1000)::numeric, 2), random() < 0.5, md5(i::text)"
                + " FROM generate_series(1, " + n + ") i");
        exec(c, "CREATE TABLE dim (grp int PRIMARY KEY, name text NOT NULL, region text NOT NULL)");
        exec(c, "INSERT INTO dim SELECT g, 'name' || g, 'r' || g % 10 FROM generate_series(0, 999) g");
        // The same table without change capture, for the write-overhead ratio.
        exec(c, "CREATE TABLE src_nocap (LIKE src INCLUDING ALL)");
        exec(c, "INSERT INTO src_nocap SELECT * FROM src");
    }

    /** Batch tables: 70% updates of val (and flag flipped), 15% deletes, 15% inserts of p% of n. */
    static void makeBatch(Connection c, long n, double p) throws SQLException {
        long total = Math.max(1, Math.round(n * p / 100));
        long upd = Math.round(total * 0.70);
        long del = Math.round(total * 0.15);
        long ins = total - upd - del;
        exec(c, "DROP TABLE IF EXISTS b_pick, b_upd, b_del, b_ins");
        exec(c, "CREATE TABLE b_pick AS SELECT id FROM src ORDER BY random() LIMIT " + (upd + del));
        exec(c, "CREATE TABLE b_upd AS SELECT id, round((random() * 1000)::numeric, 2) AS val FROM b_pick LIMIT " + upd);
        exec(c, "CREATE TABLE b_del AS SELECT id FROM b_pick EXCEPT SELECT id FROM b_upd");
        exec(c, "CREATE TABLE b_ins AS SELECT i AS id, (i % 1000)::int AS grp, round((random() * 1000)::numeric, 2) AS val,"
                + " random() < 0.5 AS flag, md5(i::text) AS txt FROM generate_series((SELECT max(id) + 1 FROM src),"
                + " (SELECT max(id) FROM src) + " + ins + ") i");
        exec(c, "ANALYZE b_upd, b_del, b_ins");
    }

    static final String BATCH = """
            BEGIN;
            UPDATE {src} s SET val = b.val, flag = NOT s.flag FROM b_upd b WHERE s.id = b.id;
            DELETE FROM {src} s USING b_del b WHERE s.id = b.id;
            INSERT INTO {src} SELECT * FROM b_ins;
            COMMIT""";

    private static String storageParameters(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = '" + table + "'::regclass")) {
            rs.next();
            String options = rs.getString(1);
            return options == null ? "" : " WITH (" + options + ")";
        }
    }

    /** Untimed: the exact net change of st_s, computed from the query into floor_delta_s. */
    private static void prepareFloor(Connection c, StreamTableService service, String s) throws SQLException {
        String load;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT load_sql FROM pgtrickle.stream_tables WHERE name = 'st_" + s + "'")) {
            rs.next();
            load = rs.getString(1);
        }
        String select = load.substring(load.indexOf('\n') + 1);
        exec(c, "DROP TABLE IF EXISTS new_" + s + ", floor_delta_" + s);
        exec(c, "CREATE TABLE new_" + s + " (LIKE st_" + s + ")");
        exec(c, "INSERT INTO new_" + s + "\n" + select);
        exec(c, "CREATE TABLE floor_delta_" + s + " AS"
                + " SELECT n.*, false AS pgt_del FROM new_" + s + " n LEFT JOIN floor_" + s + " f"
                + " ON f.__pgt_row_id = n.__pgt_row_id WHERE f.__pgt_row_id IS NULL OR ROW(f.*) IS DISTINCT FROM ROW(n.*)"
                + " UNION ALL SELECT f.*, true FROM floor_" + s + " f WHERE NOT EXISTS"
                + " (SELECT 1 FROM new_" + s + " n WHERE n.__pgt_row_id = f.__pgt_row_id)");
        exec(c, "ANALYZE floor_delta_" + s);
    }

    private static String floorMerge(Connection c, String s) throws SQLException {
        List<String> cols = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'floor_" + s + "'::regclass AND attnum > 0"
                        + " AND NOT attisdropped ORDER BY attnum")) {
            while (rs.next()) {
                cols.add('"' + rs.getString(1) + '"');
            }
        }
        String set = String.join(", ", cols.stream().filter(x -> !x.equals("\"__pgt_row_id\""))
                .map(x -> x + " = d." + x).toList());
        return "BEGIN;\nMERGE INTO floor_" + s + " f USING floor_delta_" + s + " d ON f.__pgt_row_id = d.__pgt_row_id"
                + " WHEN MATCHED AND d.pgt_del THEN DELETE"
                + (set.isEmpty() ? "" : " WHEN MATCHED THEN UPDATE SET " + set)
                + " WHEN NOT MATCHED AND NOT d.pgt_del THEN INSERT (" + String.join(", ", cols) + ") VALUES ("
                + String.join(", ", cols.stream().map(x -> "d." + x).toList()) + ");\nCOMMIT";
    }

    private static double timed(Connection c, String sql) throws SQLException {
        long t0 = System.nanoTime();
        exec(c, sql);
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static double[] medians(List<double[]> rows) {
        double[] out = new double[rows.get(0).length];
        for (int i = 0; i < out.length; i++) {
            List<Double> col = new ArrayList<>();
            for (double[] r : rows) {
                col.add(r[i]);
            }
            out[i] = median(col);
        }
        return out;
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String summarize(List<String> modes) {
        long full = modes.stream().filter("FULL"::equals).count();
        return full == 0 ? "DIFFERENTIAL" : full == modes.size() ? "FULL (adaptive fallback)" : full + "/" + modes.size() + " FULL";
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private void write(Path out) throws Exception {
        Files.createDirectories(out.getParent());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(out, json.writeValueAsString(results));
        Files.writeString(out.resolveSibling("extras.json"), json.writeValueAsString(extras));
        System.out.println("wrote " + out.toAbsolutePath() + " and extras.json");
    }

    private static List<Long> longs(String s) {
        return s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::trim).map(Long::parseLong).toList();
    }

    private static List<Double> doubles(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).map(Double::parseDouble).toList();
    }
}
