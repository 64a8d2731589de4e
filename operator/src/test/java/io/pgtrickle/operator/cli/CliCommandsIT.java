package io.pgtrickle.operator.cli;

import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.sql.Connection;

import static io.pgtrickle.operator.cli.MainIT.cli;
import static io.pgtrickle.operator.cli.MainIT.st;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI commands beyond the round trip: explain agrees with apply and is concise by default, delete, refresh
 * of upstream stream tables first, help for each command and the version.
 */
class CliCommandsIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @org.junit.jupiter.api.io.TempDir
    static Path dir;

    private static Path yaml(String name, String body) throws Exception {
        return java.nio.file.Files.writeString(dir.resolve(name), body);
    }

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE items (id int PRIMARY KEY, grp int, price int)",
                "INSERT INTO items SELECT g, g % 4, g FROM generate_series(1, 40) g",
                "CREATE TABLE not_mine (id int)");
    }

    private static String url() {
        return PG.database().jdbcUrl();
    }

    @Test
    void explainRefusesWhatApplyRefusesAndShowsTheRefreshStatementOnce() throws Exception {
        Path conflict = yaml("conflict.yaml", st("conflicting", "not_mine", "SELECT id FROM items"));
        MainIT.Result x = cli("explain", "--db", url(), "-f", conflict.toString());
        MainIT.Result a = cli("apply", "--db", url(), "-f", conflict.toString());
        assertEquals(1, x.code(), x.out() + x.err());
        assertEquals(a.code(), x.code());
        assertTrue(x.err().contains("already exists and was not created by pg-trickle"), x.err());

        Path immediate = yaml("immediate.yaml", st("now", "now_t", "SELECT id FROM items").replace("spec:\n",
                "spec:\n  refreshMode: IMMEDIATE\n"));
        assertEquals(1, cli("explain", "--db", url(), "-f", immediate.toString()).code());

        Path agg = yaml("agg.yaml", st("by-grp", "by_grp", "SELECT grp, count(*) AS n, sum(price) AS total FROM items"
                + " GROUP BY grp"));
        MainIT.Result concise = cli("explain", "--db", url(), "-f", agg.toString());
        assertEquals(0, concise.code(), concise.err());
        assertTrue(concise.out().contains("DIFFERENTIAL"), concise.out());
        assertEquals(1, concise.out().split("MERGE INTO", -1).length - 1, "the MERGE once: " + concise.out());
        assertFalse(concise.out().contains("CREATE TABLE"), "storage DDL only with --sql");
        MainIT.Result full = cli("explain", "--db", url(), "-f", agg.toString(), "--sql");
        assertTrue(full.out().contains("CREATE TABLE") && full.out().length() > concise.out().length());
    }

    @Test
    void deleteDropsTheTableOrRetainsItAndRemovesCapture() throws Exception {
        Path f = yaml("del.yaml", st("gone", "gone_t", "SELECT id, price FROM items WHERE grp = 1") + "---\n"
                + st("kept", "kept_t", "SELECT id FROM items WHERE grp = 2"));
        assertEquals(0, cli("apply", "--db", url(), "-f", f.toString()).code());
        MainIT.Result d = cli("delete", "--db", url(), "gone");
        assertEquals(0, d.code(), d.err());
        MainIT.Result r = cli("delete", "--db", url(), "kept", "--retain");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("kept"), r.out());
        assertEquals(1, cli("delete", "--db", url(), "never-was").code());
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_class WHERE relname = 'gone_t'"));
            assertEquals(Rows.multiset(c, "SELECT id FROM items WHERE grp = 2"), Rows.multiset(c, "SELECT id FROM kept_t"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pgtrickle.stream_tables WHERE name IN ('gone', 'kept')"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'items'::regclass"
                    + " AND NOT tgisinternal"), "capture removed with its last reader");
            c.createStatement().execute("INSERT INTO kept_t VALUES (999)"); // the user's table now
        }
    }

    @Test
    void refreshBringsUpstreamStreamTablesToTheSamePointFirstUnlessOnly() throws Exception {
        Path f = yaml("chain.yaml", st("up", "up_t", "SELECT grp, sum(price) AS total FROM items GROUP BY grp")
                + "---\n" + st("down", "down_t", "SELECT sum(total) AS grand FROM up_t"));
        assertEquals(0, cli("apply", "--db", url(), "-f", f.toString()).code());
        PG.database().exec("UPDATE items SET price = price + 1000 WHERE id = 1");
        MainIT.Result only = cli("refresh", "--db", url(), "down", "--only");
        assertEquals(0, only.code(), only.err());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT sum(total) FROM up_t"), Rows.multiset(c, "SELECT grand FROM down_t"));
            assertFalse(Rows.multiset(c, "SELECT sum(price) FROM items").equals(Rows.multiset(c, "SELECT grand FROM down_t")),
                    "--only left the upstream stale");
            MainIT.Result both = cli("refresh", "--db", url(), "down");
            assertEquals(0, both.code(), both.err());
            assertTrue(both.out().contains("refreshed up"), both.out());
            // refresh and status report the same duration
            String ms = both.out().lines().filter(l -> l.startsWith("refreshed down")).findFirst().orElseThrow()
                    .replaceAll(".* in ([0-9.]+) ms.*", "$1");
            String statusRow = cli("status", "--db", url()).out().lines().filter(l -> l.startsWith("down "))
                    .findFirst().orElseThrow();
            assertTrue(statusRow.contains(" " + ms + " "), ms + " in " + statusRow);
            assertEquals(Rows.multiset(c, "SELECT sum(price) FROM items"), Rows.multiset(c, "SELECT grand FROM down_t"));
        }
    }

    @Test
    void everyCommandHasHelpAndTheCliItsVersion() {
        for (String command : new String[] {"apply", "refresh", "status", "explain", "delete", "run", "demo"}) {
            MainIT.Result h = cli(command, "--help");
            assertEquals(0, h.code(), command);
            assertTrue(h.out().startsWith("usage: pgtrickle " + command), h.out());
            assertTrue(h.out().contains("Exit codes") || command.equals("demo"), h.out());
        }
        MainIT.Result v = cli("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("pgtrickle "), v.out());
    }

    @Test
    void statusShowsTheFirstLoadAsALoadAndCutsLongNames() throws Exception {
        String longName = "n" + "x".repeat(120);
        Path f = yaml("load.yaml", st(longName, "loaded_t", "SELECT id FROM items WHERE grp = 3"));
        MainIT.Result a = cli("apply", "--db", url(), "-f", f.toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(cli("apply", "--db", url(), "-f", f.toString()).out().contains("unchanged"));
        MainIT.Result s = cli("status", "--db", url());
        String row = s.out().lines().filter(l -> l.contains("loaded_t")).findFirst().orElseThrow();
        assertTrue(row.contains(" LOAD "), row);
        assertFalse(s.out().contains("ran FULL"), s.out());
        assertTrue(s.out().lines().allMatch(l -> l.length() < 200), "no row widened by a long name: " + s.out());
    }
}
