package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.refresh.RefreshFailedException;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream table whose storage table was dropped by hand is not stuck: its refresh fails with a hint that says
 * to apply it again, and that apply creates the table again, loads it and says so.
 */
class StorageRepairIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static StreamTableService service;

    @BeforeAll
    static void schema() {
        PG.database().exec("CREATE TABLE t (id int PRIMARY KEY, g int)",
                "INSERT INTO t SELECT i, i % 4 FROM generate_series(1, 50) i");
        service = new StreamTableService(PG.database().asDatabase());
    }

    @ParameterizedTest
    @EnumSource(value = RefreshMode.class, names = {"AUTO", "FULL"})
    void applyRecreatesAndReloadsADroppedStorageTable(RefreshMode mode) throws Exception {
        String name = "by_g_" + mode.name().toLowerCase();
        String query = "SELECT g, count(*) AS n FROM t GROUP BY g";
        StreamTableDefinition def = new StreamTableDefinition(new StreamTableKey("default", name), "uid-" + name,
                QualifiedName.parse(name), query, mode, "1m", false, ReclaimPolicy.Delete, 1L);
        assertFalse(service.apply(def).repairedStorage());
        PG.database().exec("SET pgtrickle.maintaining = on; DROP TABLE " + name);
        PG.database().exec("INSERT INTO t VALUES (1000 + " + mode.ordinal() + ", 9)");
        RefreshFailedException failed = assertThrows(RefreshFailedException.class, () -> service.refresh(def.key()));
        assertTrue(failed.hint().contains("apply the stream table again"), failed.hint());
        ApplyResult again = service.apply(def);
        assertTrue(again.repairedStorage());
        assertTrue(again.rebuilt());
        service.refresh(def.key());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, query), Rows.storage(c, name));
        }
    }
}
