package io.pgtrickle.operator.cdc;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An operator role that may read a source and put triggers on it, but does not own it: capture is
 * installed all the same (its triggers just cannot be made to fire in replica sessions).
 */
class CaptureWithoutOwnershipIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final String ROLE = "pgt_op_" + ProcessHandle.current().pid();
    private static StreamTableService asRole;

    @org.junit.jupiter.api.BeforeAll
    static void operatorRole() {
        asRole = new StreamTableService(PG.database().operatorRole(ROLE));
    }

    /** A table the operator's role may read and put triggers on but does not own, and a stream table over it. */
    private static StreamTableKey overTableOwnedElsewhere(String table, String name, String query, RefreshMode mode)
            throws Exception {
        PG.database().exec("CREATE TABLE " + table + " (id int PRIMARY KEY, v int)",
                "INSERT INTO " + table + " SELECT g, g FROM generate_series(1, 20) g",
                "GRANT SELECT, TRIGGER ON " + table + " TO " + ROLE);
        StreamTableKey key = new StreamTableKey("own", name);
        asRole.apply(new StreamTableDefinition(key, "uid-" + name, new QualifiedName("public", name), query, mode,
                "1h", false, ReclaimPolicy.Delete, 1L));
        return key;
    }

    @Test
    void aRoleWithTheTriggerPrivilegeButNoOwnershipStillCaptures() throws Exception {
        StreamTableKey key = overTableOwnedElsewhere("owned_elsewhere", "copy", "SELECT id, v FROM owned_elsewhere",
                RefreshMode.DIFFERENTIAL);
        try (Connection c = PG.database().connect()) {
            assertEquals(List.of("O"), Rows.multiset(c, "SELECT DISTINCT tgenabled::text FROM pg_trigger"
                    + " WHERE tgrelid = 'owned_elsewhere'::regclass AND NOT tgisinternal"), "default firing mode");
        }
        PG.database().exec("UPDATE owned_elsewhere SET v = v * 3 WHERE id <= 4");
        assertEquals("DIFFERENTIAL", asRole.refresh(key).mode());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT id, v FROM owned_elsewhere"), Rows.storage(c, "copy"));
        }
    }

    @Test
    void aFullStreamTableOfARoleThatDoesNotOwnItsSourceRecomputesAtEveryRefresh() throws Exception {
        // its capture could miss a write (one applied by a logical replication subscription): checking it alone
        // would leave the stream table unrecomputed for good
        StreamTableKey key = overTableOwnedElsewhere("ranked_elsewhere", "ranked",
                "SELECT id, rank() OVER (ORDER BY v) AS r FROM ranked_elsewhere", RefreshMode.FULL);
        try (Connection c = PG.database().connect()) {
            assertEquals(0, Rows.count(c, "SELECT cardinality(source_oids) FROM pgtrickle.stream_tables"
                    + " WHERE name = 'ranked'"), "not captured");
        }
        org.junit.jupiter.api.Assertions.assertTrue(
                asRole.find(key).orElseThrow().modeReason().contains("every refresh recomputes"));
        assertEquals(null, asRole.refresh(key).reason(), "recomputed");
    }
}
