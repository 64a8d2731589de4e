package io.pgtrickle.operator.refresh;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.ApplyResult;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A database hardened with {@code REVOKE TEMPORARY … FROM PUBLIC}: the refresh and apply paths that would use a
 * temporary table (a small FULL refresh, the comparison before PostgreSQL 17, the column check of a changed
 * query) do without, as a role that is not a superuser. Its own database: the operator role creates the catalog.
 */
class TemporaryPrivilegeIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void aDatabaseWithoutTheTemporaryPrivilegeIsRefreshedAndReappliedWithoutTemporaryTables() throws Exception {
        // a hardened database: REVOKE TEMPORARY … FROM PUBLIC, and an operator role that is not a superuser
        StreamTableService restricted = new StreamTableService(PG.database().operatorRole("no_temp_operator"));
        PG.database().exec("CREATE TABLE tickets (id int PRIMARY KEY, queue int NOT NULL, open boolean NOT NULL)",
                "INSERT INTO tickets SELECT i, i % 7, i % 3 = 0 FROM generate_series(1, 700) i",
                "ALTER TABLE tickets OWNER TO no_temp_operator",
                "REVOKE TEMPORARY ON DATABASE \"" + PG.database().name() + "\" FROM PUBLIC");
        try {
            String query = "SELECT queue, count(*) AS n FROM tickets WHERE open GROUP BY queue";
            StreamTableKey key = new StreamTableKey("full", "queues");
            restricted.apply(new StreamTableDefinition(key, "uid-queues", new QualifiedName("public", "queues"), query,
                    RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L));
            try (Connection c = PG.database().connect()) {
                long before = Rows.count(c, "SELECT pg_current_xact_id()::text::bigint");
                PG.database().exec("BEGIN", "CREATE TEMP TABLE keep ON COMMIT DROP AS SELECT * FROM tickets",
                        "TRUNCATE tickets", "INSERT INTO tickets SELECT id, queue, open OR id = 1 FROM keep", "COMMIT");
                // small storage and a truncated source: both would have gone through a temporary table
                assertEquals("FULL", restricted.refresh(key).mode());
                assertEquals(Rows.multiset(c, query), Rows.storage(c, "queues"));
                assertEquals(1, Rows.count(c, "SELECT count(*) FROM queues WHERE xmin::text::bigint > " + before));
            }
            // a changed query of the same columns: compared through a temporary table, so recreated instead
            String other = "SELECT queue, count(*) AS n FROM tickets WHERE NOT open GROUP BY queue";
            ApplyResult a = restricted.apply(new StreamTableDefinition(key, "uid-queues",
                    new QualifiedName("public", "queues"), other, RefreshMode.AUTO, "1h", false, ReclaimPolicy.Delete, 1L));
            assertTrue(a.rebuilt() && !a.inPlace());
            try (Connection c = PG.database().connect()) {
                assertEquals(Rows.multiset(c, other), Rows.storage(c, "queues"));
            }
        } finally {
            PG.database().exec("GRANT TEMPORARY ON DATABASE \"" + PG.database().name() + "\" TO PUBLIC");
        }
    }

}
