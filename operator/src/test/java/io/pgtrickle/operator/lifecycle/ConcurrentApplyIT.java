package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Re-applies (an operator reconcile) and refreshes (the scheduler) of one stream table racing each other. */
class ConcurrentApplyIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void appliesAndRefreshesRacingNeverFailAndEndExact() throws Exception {
        PG.database().exec("CREATE TABLE r (id int PRIMARY KEY, g int, v int)",
                "INSERT INTO r SELECT i, i % 9, i FROM generate_series(1, 3000) i");
        StreamTableService service = new StreamTableService(PG.database().asDatabase());
        StreamTableDefinition def = new StreamTableDefinition(new StreamTableKey("race", "sums"), "uid-sums",
                new QualifiedName("public", "sums"), "SELECT g, sum(v) AS total FROM r GROUP BY g",
                RefreshMode.DIFFERENTIAL, "1h", false, ReclaimPolicy.Delete, 1L);
        service.apply(def);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                work.add(pool.submit(() -> {
                    PG.database().exec("UPDATE r SET v = v + 1 WHERE id % 50 = " + n);
                    return null;
                }));
                work.add(pool.submit(() -> service.refresh(def.key())));
                work.add(pool.submit(() -> service.apply(def)));
            }
            for (Future<?> f : work) {
                f.get(); // any serialization failure or deadlock surfaces here
            }
        } finally {
            pool.shutdownNow();
        }
        service.refresh(def.key());
        try (Connection c = PG.database().connect()) {
            assertEquals(Rows.multiset(c, "SELECT g, sum(v) AS total FROM r GROUP BY g"), Rows.storage(c, "sums"));
        }
    }
}
