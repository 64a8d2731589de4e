package io.pgtrickle.operator.generated;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The write patterns that stress a differential refresh, each over eight query shapes (scan,
 * filter, join, left join, aggregate, table without key, DISTINCT, UNION ALL of equal rows): a row
 * updated several times and then deleted within one batch (in one transaction and across several),
 * a primary key taken by another row right after it was freed, two keys swapped, a table truncated
 * and refilled within one transaction, and transactions committing out of the order they started
 * (the older one committing after a refresh that saw the younger). After every refresh each stream
 * table's plain SELECT equals its query as a multiset, and every refresh but those after a TRUNCATE
 * ran DIFFERENTIAL, so the patterns reach the incremental path.
 */
class WritePatternsIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static final Map<String, String> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("scan", "SELECT id, owner, grp, bal FROM acct");
        SHAPES.put("filter", "SELECT id, bal FROM acct WHERE grp IS DISTINCT FROM 'b' AND (bal > 10 OR bal IS NULL)");
        SHAPES.put("join", "SELECT a.id, a.bal, o.region FROM acct a JOIN owners o ON o.name = a.owner");
        SHAPES.put("left_join", "SELECT o.name, o.region, a.id AS acct_id FROM owners o LEFT JOIN acct a ON a.owner = o.name");
        SHAPES.put("aggregate", "SELECT grp, count(*) AS n, sum(bal) AS total, min(bal) AS lo, max(id) AS hi FROM acct"
                + " GROUP BY grp");
        SHAPES.put("keyless", "SELECT kind, n FROM log");
        SHAPES.put("distinct", "SELECT DISTINCT grp, owner FROM acct");
        SHAPES.put("union_all", "SELECT owner AS who, grp FROM acct UNION ALL SELECT name, region FROM owners"
                + " UNION ALL SELECT kind, NULL FROM log");
    }

    private StreamTableService service;

    @BeforeEach
    void freshTablesAndStreamTables() throws Exception {
        service = new StreamTableService(PG.database().asDatabase());
        for (String name : SHAPES.keySet()) {
            service.delete(new StreamTableKey("wp", name), "uid-" + name, ReclaimPolicy.Delete);
        }
        PG.database().exec("CREATE SCHEMA IF NOT EXISTS st", "DROP TABLE IF EXISTS acct, owners, log",
                "CREATE TABLE owners (name text PRIMARY KEY, region text)",
                "CREATE TABLE acct (id int PRIMARY KEY, owner text, grp text, bal numeric(8,2))",
                "CREATE TABLE log (kind text, n int)",
                "INSERT INTO owners VALUES ('o1', 'north'), ('o2', NULL), ('o3', 'south'), ('o4', 'north')",
                "INSERT INTO acct SELECT g, 'o' || (1 + g % 5), (ARRAY['a', 'b', NULL, 'a'])[1 + g % 4],"
                        + " CASE WHEN g % 7 = 0 THEN NULL ELSE g * 1.5 END FROM generate_series(1, 40) g",
                "INSERT INTO log SELECT (ARRAY['a', 'b', NULL])[1 + g % 3], g % 4 FROM generate_series(1, 30) g");
        for (Map.Entry<String, String> s : SHAPES.entrySet()) {
            service.apply(new StreamTableDefinition(new StreamTableKey("wp", s.getKey()), "uid-" + s.getKey(),
                    new QualifiedName("st", "wp_" + s.getKey()), s.getValue(), RefreshMode.AUTO, "1h", false,
                    ReclaimPolicy.Delete, 1L).withTuning(GenLab.TUNING));
        }
    }

    @Test
    void aRowUpdatedSeveralTimesThenDeletedInOneTransactionLeavesNoTrace() throws Exception {
        commit("UPDATE acct SET bal = bal + 1 WHERE id = 3", "UPDATE acct SET grp = 'b', owner = 'o2' WHERE id = 3",
                "UPDATE acct SET bal = NULL, grp = NULL WHERE id = 3", "DELETE FROM acct WHERE id = 3",
                "UPDATE owners SET region = 'west' WHERE name = 'o1'", "UPDATE owners SET region = NULL WHERE name = 'o1'",
                "DELETE FROM owners WHERE name = 'o1'",
                "INSERT INTO log VALUES ('z', 9)", "UPDATE log SET n = 10 WHERE kind = 'z'", "DELETE FROM log WHERE kind = 'z'");
        refreshAndAssertExact(true);
    }

    @Test
    void aRowUpdatedInSeveralTransactionsThenDeletedInTheSameBatchLeavesNoTrace() throws Exception {
        commit("UPDATE acct SET bal = bal + 1 WHERE id = 6");
        commit("UPDATE acct SET grp = NULL, owner = 'o4' WHERE id = 6");
        commit("UPDATE acct SET id = 106 WHERE id = 6");
        commit("DELETE FROM acct WHERE id = 106");
        commit("UPDATE log SET n = n + 5 WHERE ctid = (SELECT min(ctid) FROM log WHERE kind = 'a')");
        commit("DELETE FROM log WHERE n >= 5");
        refreshAndAssertExact(true);
    }

    @Test
    void aPrimaryKeyTakenByAnotherRowRightAfterItWasFreedIsExact() throws Exception {
        commit("DELETE FROM acct WHERE id = 2", "UPDATE acct SET id = 2 WHERE id = 5");
        commit("DELETE FROM owners WHERE name = 'o1'");
        commit("UPDATE owners SET name = 'o1' WHERE name = 'o3'");
        refreshAndAssertExact(true);
        commit("DELETE FROM acct WHERE id = 7");
        commit("INSERT INTO acct VALUES (7, 'o3', 'b', 70)", "DELETE FROM acct WHERE id = 8",
                "UPDATE acct SET id = 8, grp = NULL WHERE id = 9");
        refreshAndAssertExact(true);
    }

    @Test
    void twoPrimaryKeysSwappedThroughAFreeValueAreExact() throws Exception {
        commit("UPDATE acct SET id = -1 WHERE id = 10", "UPDATE acct SET id = 10 WHERE id = 11",
                "UPDATE acct SET id = 11 WHERE id = -1");
        commit("UPDATE owners SET name = 'tmp' WHERE name = 'o2'", "UPDATE owners SET name = 'o2' WHERE name = 'o4'",
                "UPDATE owners SET name = 'o4' WHERE name = 'tmp'");
        refreshAndAssertExact(true);
    }

    @Test
    void tablesTruncatedAndRefilledInOneTransactionAreExactAndLaterBatchesIncremental() throws Exception {
        commit("CREATE TEMP TABLE keep_acct ON COMMIT DROP AS SELECT * FROM acct", "TRUNCATE acct",
                "INSERT INTO acct SELECT * FROM keep_acct WHERE id <> 4", "UPDATE acct SET bal = 0, grp = 'c' WHERE id = 1",
                "CREATE TEMP TABLE keep_log ON COMMIT DROP AS SELECT * FROM log", "TRUNCATE log",
                "INSERT INTO log SELECT * FROM keep_log", "INSERT INTO log SELECT * FROM keep_log WHERE kind = 'b'");
        refreshAndAssertExact(false);
        commit("UPDATE acct SET grp = 'a' WHERE id = 1", "DELETE FROM log WHERE ctid = (SELECT min(ctid) FROM log"
                + " WHERE kind = 'b')", "TRUNCATE owners", "INSERT INTO owners VALUES ('o1', 'east')");
        refreshAndAssertExact(false);
        commit("UPDATE acct SET owner = 'o1' WHERE id BETWEEN 20 AND 25", "INSERT INTO log VALUES ('b', 1), ('b', 1)");
        refreshAndAssertExact(true);
    }

    @Test
    void anOlderTransactionCommittingAfterAYoungerOneAndARefreshIsAppliedOnce() throws Exception {
        try (Connection a = PG.database().connect(); Connection b = PG.database().connect();
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            sa.execute("SELECT pg_current_xact_id()"); // A starts first and holds the older transaction id
            sa.execute("UPDATE acct SET bal = 999 WHERE id = 12");
            sb.execute("SELECT pg_current_xact_id()");
            sb.execute("UPDATE acct SET grp = 'b', bal = 1 WHERE id = 13");
            sb.execute("INSERT INTO log VALUES ('a', 1)");
            sb.execute("DELETE FROM owners WHERE name = 'o3'");
            b.commit();
            refreshAndAssertExact(true); // sees B, not A
            sa.execute("UPDATE acct SET grp = NULL WHERE id = 13");
            sa.execute("DELETE FROM log WHERE ctid = (SELECT min(ctid) FROM log WHERE kind = 'a')");
            sa.execute("INSERT INTO owners VALUES ('o3', 'far')");
            a.commit();
            refreshAndAssertExact(true); // now A, once
            refreshAndAssertExact(true); // and nothing again
        }
    }

    @Test
    void aTransactionOpenedFirstButWritingOnlyAfterARefreshIsAppliedOnce() throws Exception {
        try (Connection a = PG.database().connect(); Connection b = PG.database().connect();
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            a.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            sa.execute("SELECT count(*) FROM acct"); // open A: its snapshot predates B, no transaction id yet
            sb.execute("UPDATE acct SET id = 1000 WHERE id = 14");
            sb.execute("INSERT INTO log VALUES (NULL, 7), (NULL, 7)");
            b.commit();
            refreshAndAssertExact(true);
            sa.execute("UPDATE acct SET id = 14 WHERE id = 15");
            sa.execute("DELETE FROM log WHERE ctid = (SELECT min(ctid) FROM log WHERE n = 3)");
            a.commit();
            refreshAndAssertExact(true);
        }
    }

    private void commit(String... sql) throws Exception {
        try (Connection c = PG.database().connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String q : sql) {
                s.execute(q);
            }
            c.commit();
        }
    }

    /** Refreshes every shape and compares it with its query; {@code incremental}: every refresh ran DIFFERENTIAL. */
    private void refreshAndAssertExact(boolean incremental) throws Exception {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> s : SHAPES.entrySet()) {
            RefreshResult r = service.refresh(new StreamTableKey("wp", s.getKey()));
            service.cleanupAfter(r);
            if (incremental && !r.mode().equals("DIFFERENTIAL")) {
                problems.add(s.getKey() + " ran " + r.mode() + " (" + r.reason() + ")");
            }
            try (Connection c = PG.database().connect()) {
                List<String> columns = new ArrayList<>();
                List<String> expected = GenLab.rows(c, "SELECT * FROM (" + s.getValue() + ") q", columns);
                String table = "st.wp_" + s.getKey();
                List<String> actual = GenLab.rows(c, "SELECT " + String.join(", ", columns) + " FROM " + table, null);
                if (!expected.equals(actual) && GenLab.differByEquality(c, table, s.getValue(), columns)) {
                    problems.add(s.getKey() + ": " + GenLab.diff(expected, actual));
                }
            }
        }
        assertEquals(List.of(), problems);
    }
}
