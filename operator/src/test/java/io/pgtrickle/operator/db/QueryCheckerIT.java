package io.pgtrickle.operator.db;

import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryCheckerIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2), tag text)");
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
}
