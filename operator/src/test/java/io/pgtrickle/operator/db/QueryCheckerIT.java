package io.pgtrickle.operator.db;

import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryCheckerIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2), tag text)",
                "INSERT INTO items VALUES (1, 2.50, 'a')",
                "CREATE TABLE audit (at timestamptz)",
                "CREATE SEQUENCE seq",
                "CREATE FUNCTION log_it(int) RETURNS int LANGUAGE plpgsql AS"
                        + " 'BEGIN INSERT INTO audit VALUES (now()); RETURN $1; END'",
                "CREATE FUNCTION quiet(int) RETURNS int STABLE LANGUAGE sql AS 'SELECT $1 + 1'");
    }

    private static CheckedQuery check(String sql) throws Exception {
        try (Connection c = PG.database().connect()) {
            return QueryChecker.check(c, sql);
        }
    }

    private static String rejection(String sql) {
        return assertThrows(InvalidQueryException.class, () -> check(sql)).getMessage();
    }

    @Test
    void acceptsSelectAndReportsColumnsAndSources() throws Exception {
        CheckedQuery q = check("SELECT tag, sum(price) AS total FROM items GROUP BY tag");
        assertEquals(List.of("tag", "total"), q.columns().stream().map(OutputColumn::name).toList());
        assertEquals(List.of(new QualifiedName("public", "items")), q.sources());
    }

    @Test
    void acceptsPostgresOnlySyntax() throws Exception {
        CheckedQuery q = check("SELECT DISTINCT ON (tag) tag, id FROM items ORDER BY tag, id -- last comment");
        assertEquals(2, q.columns().size());
    }

    @Test
    void rejectsSeveralStatements() {
        assertTrue(rejection("SELECT 1 AS a; DROP TABLE items").contains("2 statements"));
    }

    @Test
    void rejectsDmlAndDdl() {
        assertTrue(rejection("DELETE FROM items").contains("DELETE statement"));
        assertTrue(rejection("CREATE TABLE x (a int)").contains("CREATE statement"));
    }

    @Test
    void rejectsDataModifyingCte() {
        String msg = rejection("WITH d AS (DELETE FROM items RETURNING id) SELECT id FROM d");
        assertTrue(msg.contains("modifies data"), msg);
    }

    @Test
    void reportsPostgresSyntaxErrorsWithPosition() {
        String msg = rejection("SELEC id FROM items");
        assertTrue(msg.contains("SELEC"), msg);
        msg = rejection("SELECT id FROM no_such_table");
        assertTrue(msg.contains("no_such_table") && msg.contains("does not exist"), msg);
    }

    @Test
    void rejectsUnnamedAndDuplicateColumns() {
        assertTrue(rejection("SELECT 1 + 1 FROM items").contains("no name"));
        assertTrue(rejection("SELECT id, id FROM items").contains("more than once"));
    }

    @Test
    void selectIntoIsRejected() {
        String msg = rejection("SELECT id INTO copy_of_items FROM items");
        assertTrue(msg.contains("INTO"), msg);
    }

    @Test
    void refusesEveryVolatileCallBeforeAnythingRuns() throws Exception {
        List<String> acting = List.of(
                "SELECT lo_import('/etc/passwd') AS oid",
                "SELECT pg_read_file('postgresql.conf') AS f",
                "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
                "SELECT nextval('seq') AS n FROM items",
                "SELECT log_it(id) AS id FROM items",
                "SELECT id FROM items WHERE EXISTS (SELECT 1 FROM items i WHERE log_it(i.id) > 0)",
                "SELECT 1 AS one FROM pg_sleep(600)",
                "SELECT random() AS r",
                "SELECT id, clock_timestamp() AS at FROM items",
                "WITH x AS (SELECT gen_random_uuid() AS u) SELECT u FROM x",
                "SELECT id FROM items TABLESAMPLE BERNOULLI (10)",
                "SELECT count(*) OVER (ORDER BY random()) AS n FROM items");
        for (String q : acting) {
            String msg = rejection(q);
            assertTrue(msg.contains("VOLATILE"), q + " -> " + msg);
        }
        try (Connection c = PG.database().connect()) {
            assertEquals(0L, count(c, "SELECT count(*) FROM audit"), "the user function never ran");
            assertEquals(0L, count(c, "SELECT count(*) FROM pg_largeobject_metadata"), "no large object made");
            assertEquals(1L, count(c, "SELECT nextval('seq')"), "the sequence never advanced");
        }
        // a STABLE function calling a volatile one inside is what PostgreSQL says it is: its body runs as STABLE,
        // which refuses the write
        assertTrue(rejection("SELECT log_it(1) AS x").contains("log_it(integer)"));
        check("SELECT quiet(id) AS q, now() AS t, upper(tag) AS u FROM items");
    }

    @Test
    void errorPositionsCountCharactersOfTheUsersQuery() {
        String msg = rejection("SELECT id, nosuchcolumn FROM items");
        assertTrue(msg.contains("at character 12 of the query"), msg);
    }

    private static long count(Connection c, String sql) throws Exception {
        try (var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aMisspelledFirstWordAndSelectIntoGetHintsThatFit() {
        String typo = assertThrows(InvalidQueryException.class, () -> check("SELEC id FROM items")).getMessage();
        assertTrue(typo.contains("does not start with SELECT") && typo.contains("selec"), typo);
        InvalidQueryException into = assertThrows(InvalidQueryException.class,
                () -> check("SELECT id INTO copy_of_items FROM items"));
        assertTrue(into.getMessage().contains("INTO"), into.getMessage());
        assertFalse(into.hint().contains("psql"), into.hint());
    }
}
