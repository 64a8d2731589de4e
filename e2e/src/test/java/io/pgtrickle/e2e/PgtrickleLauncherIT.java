package io.pgtrickle.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.standalone.Demo;
import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code pgtrickle} launcher script as a user runs it: a real process, exit codes and output. */
class PgtrickleLauncherIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    record Run(int code, String out, String err) {
    }

    static Run pgtrickle(String... args) throws IOException, InterruptedException {
        Path root = KubeCluster.repoRoot();
        Path out = Files.createTempFile("pgtrickle", ".out");
        Path err = Files.createTempFile("pgtrickle", ".err");
        List<String> cmd = new java.util.ArrayList<>(List.of(root.resolve("pgtrickle").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(root.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("pgtrickle " + String.join(" ", args) + " did not finish");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void schema() throws Exception {
        Demo.createSampleSchema(JdbcDatabase.fromUrl(PG.database().jdbcUrl()));
    }

    @Test
    void applyThenStatusJsonFollowTheContract() throws Exception {
        String url = PG.database().jdbcUrl();
        Run apply = pgtrickle("apply", "--db", url, "-f", "examples/orders.yaml", "-f", "examples/customers.yaml");
        assertEquals(0, apply.code(), apply.err());
        assertTrue(apply.out().contains("streamtable/order-totals created and loaded"), apply.out());

        Run refresh = pgtrickle("refresh", "--db", url, "order-totals", "customer-orders");
        assertEquals(0, refresh.code(), refresh.err());

        Run status = pgtrickle("status", "--db", url, "-o", "json");
        assertEquals(0, status.code(), status.err());
        JsonNode arr = new ObjectMapper().readTree(status.out());
        assertEquals(2, arr.size());
        for (JsonNode st : arr) {
            for (String field : List.of("name", "table", "effectiveRefreshMode", "ready", "lastRefresh")) {
                assertTrue(st.has(field), field + " missing in " + st);
            }
            assertTrue(st.get("ready").asBoolean(), st.toString());
        }
        assertEquals("analytics.customer_orders", arr.get(0).get("table").asText());
    }

    @Test
    void failuresExitNonZeroWithAMessageNotAStackTrace() throws Exception {
        Run r = pgtrickle("refresh", "--db", PG.database().jdbcUrl(), "no-such-table");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no stream table no-such-table"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        Run usage = pgtrickle("apply");
        assertEquals(2, usage.code());
        assertTrue(usage.err().contains("missing --db"), usage.err());
    }

    @Test
    void demoRunsTheExamplesOnAnEmbeddedPostgres() throws Exception {
        Run demo = pgtrickle("demo", "--duration", "12s");
        assertEquals(0, demo.code(), demo.err());
        assertTrue(demo.out().contains("PostgreSQL " + System.getProperty("pg.version", "18") + " is running"), demo.out());
        assertTrue(demo.out().contains("streamtable/order-totals applied"), demo.out());
        String last = demo.out().substring(demo.out().lastIndexOf("pg-trickle demo"));
        assertTrue(last.lines().anyMatch(l -> l.startsWith("order-totals") && l.contains(" True ")), last);
        assertTrue(last.lines().anyMatch(l -> l.startsWith("customer-orders") && l.contains(" True ")), last);
    }
}
