package io.pgtrickle.operator.db;

import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PooledDatabaseIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aClosedConnectionIsReusedAndAClosedHandleIsDead() throws Exception {
        try (PooledDatabase pool = new PooledDatabase(PG.database().asDatabase(), 2)) {
            Connection first = pool.connect();
            int p1 = pid(first);
            first.close();
            assertThrows(SQLException.class, first::createStatement);
            try (Connection second = pool.connect()) {
                assertEquals(p1, pid(second));
            }
        }
    }

    @Test
    void aConnectionLeftInATransactionIsNotReused() throws Exception {
        try (PooledDatabase pool = new PooledDatabase(PG.database().asDatabase(), 2)) {
            Connection c = pool.connect();
            int p1 = pid(c);
            c.setAutoCommit(false);
            c.close();
            try (Connection d = pool.connect()) {
                assertNotEquals(p1, pid(d));
            }
        }
    }

    @Test
    void aConnectionWhoseLastCallFailedIsCheckedAndDroppedWhenDead() throws Exception {
        try (PooledDatabase pool = new PooledDatabase(PG.database().asDatabase(), 2, Duration.ofHours(1))) {
            int p1;
            try (Connection c = pool.connect()) {
                p1 = pid(c);
                PG.database().exec("SELECT pg_terminate_backend(" + p1 + ")");
                assertThrows(SQLException.class, () -> pid(c));
            }
            try (Connection d = pool.connect()) {
                assertNotEquals(p1, pid(d));
            }
        }
    }

    @Test
    void aConnectionThatDiedWhileIdleInThePoolIsReplacedBeforeUse() throws Exception {
        try (PooledDatabase pool = new PooledDatabase(PG.database().asDatabase(), 2, Duration.ofMillis(50))) {
            int p1;
            try (Connection c = pool.connect()) {
                p1 = pid(c);
            }
            PG.database().exec("SELECT pg_terminate_backend(" + p1 + ")");
            Thread.sleep(100);
            try (Connection d = pool.connect()) {
                assertNotEquals(p1, pid(d));
            }
        }
    }
}
