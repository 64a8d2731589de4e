package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.db.SqlText;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator role set up by exactly docs/grants.sql (run by the database owner, as written there, names
 * replaced) applies, refreshes and deletes stream tables end to end, DIFFERENTIAL and FULL, while another role
 * writes the sources; and a superuser operator role is warned about.
 */
class LeastPrivilegeIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static JdbcDatabase operator;

    @BeforeAll
    static void grants() throws Exception {
        PG.database().exec("CREATE ROLE app_writer LOGIN",
                "CREATE TABLE orders (id int PRIMARY KEY, customer int, amount numeric(10,2))",
                "CREATE TABLE events (kind text, n int)", // no key
                "INSERT INTO orders SELECT i, i % 7, i * 1.5 FROM generate_series(1, 200) i",
                "INSERT INTO events SELECT 'k' || (i % 3), i % 5 FROM generate_series(1, 60) i",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON orders, events TO app_writer");
        String script = Files.readString(Path.of("..", "docs", "grants.sql"))
                .replace("DATABASE app", "DATABASE \"" + PG.database().name() + "\"");
        PG.database().exec(SqlText.statements(script).toArray(String[]::new));
        operator = JdbcDatabase.fromUrl(PG.database().jdbcUrl()
                .replaceAll("user=[^&]*", "user=pgtrickle_operator").replaceAll("password=[^&]*", "password=change-me"));
    }

    private static StreamTableDefinition def(String name, String query, RefreshMode mode) {
        return new StreamTableDefinition(new StreamTableKey("default", name), "uid-" + name,
                QualifiedName.parse("analytics." + name), query, mode, "1m", false, ReclaimPolicy.Delete, 1L);
    }

    @Test
    void theDocumentedGrantsSufficeForApplyRefreshAndDelete() throws Exception {
        StreamTableService service = new StreamTableService(operator);
        List<StreamTableDefinition> defs = List.of(
                def("totals", "SELECT customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer",
                        RefreshMode.DIFFERENTIAL),
                def("kinds", "SELECT kind, n FROM events WHERE n > 1", RefreshMode.DIFFERENTIAL),
                def("ranked", "SELECT id, rank() OVER (ORDER BY amount DESC) AS r FROM orders", RefreshMode.FULL));
        for (StreamTableDefinition d : defs) {
            ApplyResult r = service.apply(d);
            assertTrue(r.warnings().isEmpty(), r.warnings().toString());
        }
        JdbcDatabase writer = JdbcDatabase.fromUrl(PG.database().jdbcUrl().replaceAll("user=[^&]*", "user=app_writer"));
        try (Connection w = writer.connect(); var s = w.createStatement()) {
            s.execute("INSERT INTO orders VALUES (1000, 1, 9.5)");
            s.execute("UPDATE orders SET amount = amount + 1 WHERE id % 10 = 0");
            s.execute("DELETE FROM events WHERE n = 4");
            s.execute("INSERT INTO events VALUES ('k9', 3), ('k9', 3)");
        }
        for (StreamTableDefinition d : defs) {
            service.refresh(d.key());
            try (Connection c = PG.database().connect()) {
                assertEquals(Rows.multiset(c, d.query()), Rows.storage(c, d.table().sql()), d.query());
            }
        }
        for (StreamTableDefinition d : defs) {
            service.delete(d.key(), d.uid(), ReclaimPolicy.Delete);
        }
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'analytics'"));
            assertEquals(0, Rows.count(c, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
                    + " AND tgrelid IN ('orders'::regclass, 'events'::regclass)"), "capture removed");
        }
    }

    @Test
    void aSuperuserOperatorRoleIsWarnedAbout() throws Exception {
        StreamTableService asSuperuser = new StreamTableService(PG.database().asDatabase());
        ApplyResult r = asSuperuser.apply(def("as_superuser", "SELECT id FROM orders WHERE id < 5", RefreshMode.AUTO));
        assertFalse(r.warnings().isEmpty());
        assertTrue(r.warnings().get(0).contains("superuser"), r.warnings().toString());
    }
}
