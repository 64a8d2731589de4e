package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.dvm.plan.Mode;
import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.SourceUse;
import io.pgtrickle.operator.db.QueryDependencies;
import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's list of a stream table's sources is checked against PostgreSQL's record of the query's
 * dependencies: a table the engine missed is captured (FULL) or rejects the incremental plan (DIFFERENTIAL),
 * and a view or a function that is not IMMUTABLE makes a FULL stream table recompute at every refresh.
 */
class SourceCompletenessIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final String NESTED = "SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.a_id = a.id"
            + " AND EXISTS (SELECT 1 FROM c WHERE c.b_id = b.id))";

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE a (id int PRIMARY KEY, note text)",
                "CREATE TABLE b (id int PRIMARY KEY, a_id int)",
                "CREATE TABLE c (id int PRIMARY KEY, b_id int, extra text)",
                "CREATE VIEW bv AS SELECT * FROM b",
                "CREATE FUNCTION stable_f(int) RETURNS int STABLE LANGUAGE sql AS 'SELECT $1'");
    }

    private static Plan full(List<SourceUse> sources) {
        return StreamTableInstall.fullLayout(NESTED, List.of("engine says FULL"), sources);
    }

    private static SourceUse table(Connection c, String name, String... columns) throws Exception {
        long oid;
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT '" + name + "'::regclass::oid")) {
            rs.next();
            oid = rs.getLong(1);
        }
        return new SourceUse(oid, "public", name, List.of(columns));
    }

    @Test
    void postgresqlListsEveryRelationAndColumnOfANestedQuery() throws Exception {
        try (Connection c = PG.database().connect()) {
            QueryDependencies d = QueryDependencies.of(c, NESTED);
            assertEquals(List.of("a:[id]", "b:[id, a_id]", "c:[b_id]"), d.relations().stream()
                    .map(r -> r.name() + ":" + r.columns()).toList());
            assertTrue(c.getAutoCommit(), "the connection is left as found");
            assertEquals(List.of("int4eq(integer,integer)"), d.functions().stream().map(QueryDependencies.Function::name).toList());
            assertFalse(relationExists(c, "pgtrickle.__pgt_dependencies"), "the view is rolled back");
        }
    }

    @Test
    void aFullStreamTableCapturesATableTheEngineMissed() throws Exception {
        try (Connection c = PG.database().connect()) {
            Plan completed = SourceCompleteness.complete(QueryDependencies.of(c, NESTED), NESTED, full(List.of(table(c, "a", "id"), table(c, "b", "id"))));
            assertEquals(List.of("a", "b", "c"), completed.sources().stream().map(SourceUse::table).toList());
            assertEquals(List.of("b_id"), completed.sources().get(2).columns());
        }
    }

    @Test
    void anIncrementalPlanThatMissesATableIsRejected() throws Exception {
        try (Connection c = PG.database().connect()) {
            Plan partial = new Plan(NESTED, Mode.DIFFERENTIAL, List.of(), List.of(), List.of(), false,
                    List.of(table(c, "a", "id"), table(c, "b", "id", "a_id")), "SELECT 1", "SELECT 1", "SELECT 1");
            Plan checked = SourceCompleteness.complete(QueryDependencies.of(c, NESTED), NESTED, partial);
            assertFalse(checked.isDifferential());
            assertTrue(checked.reasons().get(0).contains("does not read public.c"), checked.reasons().toString());
            assertEquals(3, checked.sources().size(), "still captured: FULL recomputes only after a change");
        }
    }

    @Test
    void aViewOrAFunctionThatIsNotImmutableMakesEveryRefreshRecompute() throws Exception {
        try (Connection c = PG.database().connect()) {
            String overView = "SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM bv WHERE bv.a_id = a.id)";
            Plan viaView = SourceCompleteness.complete(QueryDependencies.of(c, overView), overView,
                    StreamTableInstall.fullLayout(overView, List.of("x"), List.of(table(c, "a", "id"))));
            assertEquals(List.of(), viaView.sources());
            String calling = "SELECT a.id FROM a WHERE stable_f(a.id) > 1";
            Plan viaFunction = SourceCompleteness.complete(QueryDependencies.of(c, calling), calling,
                    StreamTableInstall.fullLayout(calling, List.of("x"), List.of(table(c, "a", "id"))));
            assertEquals(List.of(), viaFunction.sources());
        }
    }

    private static boolean relationExists(Connection c, String name) throws Exception {
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT to_regclass('" + name + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void everyFunctionTheQueryCallsIsListedWithItsVolatilityBuiltInsIncluded() throws Exception {
        try (Connection c = PG.database().connect()) {
            QueryDependencies d = QueryDependencies.of(c, "SELECT a.id, random() AS r, upper(a.note) AS u,"
                    + " count(*) OVER () AS n, stable_f(a.id) + 1 AS s FROM a TABLESAMPLE BERNOULLI (50)");
            List<String> listed = d.functions().stream().map(f -> f.name() + ":" + f.volatility()).toList();
            for (String expected : List.of("random():v", "upper(text):i", "count():i", "stable_f(integer):s",
                    "int4pl(integer,integer):i", "bernoulli(internal):v")) {
                assertTrue(listed.contains(expected), expected + " in " + listed);
            }
            assertEquals(List.of("bernoulli(internal)", "random()"), d.volatileFunctions());
        }
    }
}
