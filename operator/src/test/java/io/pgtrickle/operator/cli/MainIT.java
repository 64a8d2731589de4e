package io.pgtrickle.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    static Path dir;

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path yaml(String name, String body) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, body);
        return f;
    }

    static String st(String name, String table, String query) {
        return """
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: %s
                spec:
                  target:
                    cluster:
                      name: ignored-with-db
                  table: %s
                  query: |
                    %s
                """.formatted(name, table, query);
    }

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE sales (id int PRIMARY KEY, region text, amount int)",
                "INSERT INTO sales SELECT g, 'r' || (g % 3), g FROM generate_series(1, 30) g", "ANALYZE sales");
    }

    @Test
    void applyStatusRefreshRoundTrip() throws Exception {
        String url = PG.database().jdbcUrl();
        Path f = yaml("two.yaml", st("by-region", "by_region",
                "SELECT region, sum(amount) AS total FROM sales GROUP BY region")
                + "---\n" + st("top-regions", "top_regions", "SELECT region FROM by_region WHERE total > 100"));
        Result apply = cli("apply", "--db", url, "-f", f.toString());
        assertEquals(0, apply.code(), apply.err());
        assertTrue(apply.out().contains("streamtable/by-region created and loaded"), apply.out());

        PG.database().exec("UPDATE sales SET amount = amount * 10 WHERE id = 3");
        Result refresh = cli("refresh", "--db", url, "top-regions", "by-region");
        assertEquals(0, refresh.code(), refresh.err());
        assertTrue(refresh.out().indexOf("refreshed by-region") < refresh.out().indexOf("refreshed top-regions"),
                "upstream first: " + refresh.out());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT region FROM (SELECT region, sum(amount) AS total FROM sales"
                    + " GROUP BY region) x WHERE total > 100"), Rows.storage(c, "top_regions"));
        }

        Result status = cli("status", "--db", url, "-o", "json");
        assertEquals(0, status.code(), status.err());
        JsonNode arr = new ObjectMapper().readTree(status.out());
        JsonNode first = null;
        for (JsonNode st : arr) {
            if (st.get("name").asText().equals("by-region")) {
                first = st;
            }
        }
        assertTrue(first != null, status.out());
        assertEquals("by-region", first.get("name").asText());
        assertEquals("public.by_region", first.get("table").asText());
        assertEquals("DIFFERENTIAL", first.get("effectiveRefreshMode").asText());
        assertTrue(first.get("ready").asBoolean());
        assertEquals("DIFFERENTIAL", first.get("lastRefresh").get("mode").asText());
        assertEquals(1, first.get("lastRefresh").get("rows").asLong(), "one group changed");
        assertFalse(first.get("lastRefresh").get("time").asText().isEmpty());
    }

    @Test
    void explainShowsModeReasonAndDeltaSql() throws Exception {
        Path f = yaml("explain.yaml", st("explained", "explained",
                "SELECT region, count(*) AS n FROM sales GROUP BY region"));
        Result r = cli("explain", "--db", PG.database().jdbcUrl(), "-f", f.toString(), "--sql");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("streamtable/explained: DIFFERENTIAL"), r.out());
        assertTrue(r.out().contains("captures public.sales"), r.out());
        assertTrue(r.out().contains("-- delta") && r.out().contains("MERGE INTO"), r.out());
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_class WHERE relname = 'explained'"),
                    "explain changes nothing");
        }
    }

    @Test
    void refreshPolicyInTheSameFilesTunesAuto() throws Exception {
        String policy = """
                apiVersion: pgtrickle.io/v1alpha1
                kind: RefreshPolicy
                metadata:
                  name: eager-full
                spec:
                  differentialMaxChangeRatio: 0.0001
                  learnFromHistory: false
                ---
                """;
        Path f = yaml("policy.yaml", policy + st("tuned", "tuned", "SELECT id, amount FROM sales")
                + "  refreshPolicyRef: {name: eager-full}\n");
        assertEquals(0, cli("apply", "--db", PG.database().jdbcUrl(), "-f", f.toString()).code());
        PG.database().exec("UPDATE sales SET amount = amount + 1 WHERE id = 1");
        Result r = cli("refresh", "--db", PG.database().jdbcUrl(), "tuned");
        assertTrue(r.out().contains("(FULL: AUTO:"), r.out());

        Path missing = yaml("missing.yaml", st("untuned", "untuned", "SELECT id FROM sales")
                + "  refreshPolicyRef: {name: nowhere}\n");
        Result m = cli("apply", "--db", PG.database().jdbcUrl(), "-f", missing.toString());
        assertEquals(1, m.code());
        assertTrue(m.err().contains("RefreshPolicy nowhere is not in the given files"), m.err());
    }

    @Test
    void invalidQueryExitsNonZeroWithAMessageAndInstallsNothing() throws Exception {
        Path f = yaml("bad.yaml", st("bad", "bad_t", "DELETE FROM sales"));
        Result r = cli("apply", "--db", PG.database().jdbcUrl(), "-f", f.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("error: bad: invalid query: query is a DELETE statement"), r.err());
        assertTrue(r.err().contains("hint:"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void badYamlIsReportedWithFileAndField() throws Exception {
        Path f = yaml("mode.yaml", st("m", "m_t", "SELECT 1 AS one").replace("  table:", "  refreshMode: SOMETIMES\n  table:"));
        Result r = cli("apply", "--db", PG.database().jdbcUrl(), "-f", f.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("mode.yaml") && r.err().contains("spec.refreshMode")
                && r.err().contains("SOMETIMES"), r.err());
    }

    @Test
    void refreshOfAnUnknownNameFails() {
        Result r = cli("refresh", "--db", PG.database().jdbcUrl(), "nope");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no stream table nope"), r.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, cli("apply", "-f", "x.yaml").code());
        assertEquals(2, cli("frobnicate").code());
        assertEquals(2, cli("status", "--db", PG.database().jdbcUrl(), "--bogus", "1").code());
    }

    @Test
    void unreachableDatabaseIsAOneLineError() {
        Result r = cli("status", "--db", "jdbc:postgresql://127.0.0.1:1/none?user=x&password=pgt-secret-cli-91", "-o", "json");
        assertEquals(1, r.code());
        assertFalse(r.err().contains("pgt-secret-cli-91"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
