package io.pgtrickle.operator.cli;

import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pgtrickle verify}: its lines and its exit codes (0 all consistent, 1 any differs, 2 could not verify or
 * usage), with a stream table changed by hand.
 */
class VerifyCommandIT {
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

    @BeforeAll
    static void install() throws Exception {
        PG.database().exec("CREATE TABLE sales (id int PRIMARY KEY, region text, amount int)",
                "INSERT INTO sales SELECT g, 'r' || (g % 3), g FROM generate_series(1, 30) g");
        Path f = dir.resolve("st.yaml");
        Files.writeString(f, """
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: by-region
                spec:
                  query: SELECT region, sum(amount) AS total FROM sales GROUP BY region
                ---
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: big-sales
                  namespace: shop
                spec:
                  query: SELECT id, region FROM sales WHERE amount > 20
                """);
        Result apply = cli("apply", "--db", PG.database().jdbcUrl(), "-f", f.toString());
        assertEquals(0, apply.code(), apply.err());
    }

    @Test
    void consistentDiffersAndRepairedWithTheirExitCodes() {
        String url = PG.database().jdbcUrl();
        PG.database().exec("UPDATE sales SET amount = amount + 1 WHERE id = 2"); // pending, not a drift
        Result ok = cli("verify", "--db", url, "by-region", "shop/big-sales");
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().startsWith("by-region  consistent: equals its query (3 rows); the changes since its last"
                + " refresh were applied first"), ok.out());
        assertTrue(ok.out().contains("\nshop/big-sales  consistent: "), ok.out());

        PG.database().exec("SET pgtrickle.maintaining = on; UPDATE by_region SET total = -1 WHERE region = 'r1'");
        Result drift = cli("verify", "--db", url, "by-region", "--rows", "5");
        assertEquals(1, drift.code(), drift.out() + drift.err());
        assertTrue(drift.out().startsWith("by-region  DIFFERS: 1 row(s) of the query missing from the table, 1 row(s)"
                + " in the table the query does not return"), drift.out());
        assertTrue(drift.out().contains("\n  missing: (r1,"), drift.out());
        assertTrue(drift.out().contains("\n  extra: (r1,-1)"), drift.out());
        assertFalse(drift.out().contains("password"), "no credentials in the output");

        Result none = cli("verify", "--db", url, "by-region", "--rows", "0");
        assertEquals(1, none.code());
        assertTrue(none.out().contains("  … 1 more missing row(s)"), none.out());

        Result repaired = cli("verify", "--db", url, "by-region", "--repair");
        assertEquals(1, repaired.code(), "the drift was found: " + repaired.out());
        assertTrue(repaired.out().contains("\n  repaired by a FULL refresh"), repaired.out());
        assertEquals(0, cli("verify", "--db", url, "by-region").code());
    }

    @Test
    void runVerifiesOnTheIntervalOfTheRefreshPolicyInItsFiles() throws Exception {
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, """
                apiVersion: pgtrickle.io/v1alpha1
                kind: RefreshPolicy
                metadata:
                  name: checked
                spec:
                  verification: {interval: 500ms}
                ---
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: small-sales
                spec:
                  query: SELECT id, amount FROM sales WHERE amount < 10
                  schedule: 1s
                  refreshPolicyRef: {name: checked}
                """);
        Result run = cli("run", "--db", PG.database().jdbcUrl(), "-f", f.toString(), "--duration", "4s");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains(" verified small-sales: consistent: equals its query ("), run.out());
    }

    @Test
    void anUnknownNameIsNotVerifiedAndBadOptionsAreUsageErrors() {
        String url = PG.database().jdbcUrl();
        Result unknown = cli("verify", "--db", url, "nope", "by-region");
        assertEquals(2, unknown.code(), unknown.out() + unknown.err());
        assertTrue(unknown.out().startsWith("nope  NOT VERIFIED: no stream table nope"), unknown.out());
        assertTrue(unknown.out().contains("\nby-region  consistent"), unknown.out());

        assertEquals(2, cli("verify", "--db", url).code(), "a NAME is needed");
        Result rows = cli("verify", "--db", url, "by-region", "--rows", "many");
        assertEquals(2, rows.code());
        assertTrue(rows.err().contains("--rows takes a number"), rows.err());
        Result help = cli("verify", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Exit codes: 0 all equal their query, 1 any differs"), help.out());
    }
}
