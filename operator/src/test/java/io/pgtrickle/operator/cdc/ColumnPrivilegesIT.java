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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An operator role granted SELECT on only the columns its stream tables read (and TRIGGER, for capture):
 * everything works, though it may not {@code LOCK} the source before a refresh (that needs SELECT on the
 * whole table), so its refreshes go without that protection.
 */
class ColumnPrivilegesIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void aRoleGrantedOnlyTheColumnsItReadsRefreshesThoughItCannotLockTheSource() throws Exception {
        String role = "pgt_cols_" + ProcessHandle.current().pid();
        StreamTableService asRole = new StreamTableService(PG.database().operatorRole(role));
        PG.database().exec("CREATE TABLE partly_visible (id int PRIMARY KEY, v int, secret text)",
                "INSERT INTO partly_visible SELECT g, g, 'x' FROM generate_series(1, 20) g",
                // LOCK TABLE needs SELECT on the whole table: the refresh goes on without its source lock
                "GRANT SELECT (id, v), TRIGGER ON partly_visible TO " + role);
        StreamTableKey key = new StreamTableKey("own", "cols");
        asRole.apply(new StreamTableDefinition(key, "uid-cols", new QualifiedName("public", "cols"),
                "SELECT id, v FROM partly_visible", RefreshMode.DIFFERENTIAL, "1h", false, ReclaimPolicy.Delete, 1L));
        for (int i = 0; i < 3; i++) {
            PG.database().exec("UPDATE partly_visible SET v = v * 3 WHERE id <= " + (4 + i));
            assertEquals("DIFFERENTIAL", asRole.refresh(key).mode());
            try (Connection c = PG.database().connect()) {
                assertEquals(Rows.multiset(c, "SELECT id, v FROM partly_visible"), Rows.storage(c, "cols"));
            }
        }
    }
}
