package io.pgtrickle.operator.db;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps a few idle connections to one target database, so a refresh that has nothing to do costs
 * one cheap check instead of a new PostgreSQL backend (a fork, several milliseconds). A connection is
 * returned on {@code close()} only if it is back in auto-commit mode and healthy; a broken one is
 * discarded. Health costs a round trip only when it is in doubt: a connection whose last call failed
 * is checked when it comes back, one that sat in the pool longer than {@code checkIdleAfter} is
 * checked before it is handed out (a failover or an idle timeout closes connections there). A
 * connection that comes back right after a successful call, and is taken again soon, is trusted.
 */
public final class PooledDatabase implements Database, AutoCloseable {
    /** Pooled connections idle longer than this are checked before they are handed out. */
    public static final Duration CHECK_IDLE_AFTER = Duration.ofSeconds(2);

    private final Database target;
    private final int maxIdle;
    private final long checkIdleAfterNanos;
    private final Deque<Idle> idle = new ArrayDeque<>();

    private record Idle(Connection connection, long since) {
    }

    public PooledDatabase(Database target, int maxIdle) {
        this(target, maxIdle, CHECK_IDLE_AFTER);
    }

    public PooledDatabase(Database target, int maxIdle, Duration checkIdleAfter) {
        this.target = target;
        this.maxIdle = maxIdle;
        this.checkIdleAfterNanos = checkIdleAfter.toNanos();
    }

    @Override
    public Connection connect() throws SQLException {
        Connection real = null;
        while (real == null) {
            Idle candidate;
            synchronized (idle) {
                candidate = idle.poll();
            }
            if (candidate == null) {
                break;
            }
            if (healthy(candidate)) {
                real = candidate.connection();
            } else {
                closeQuietly(candidate.connection());
            }
        }
        if (real == null) {
            real = target.connect();
        }
        Connection physical = real;
        boolean[] closed = {false};
        // Session settings changed through this handle, reset before the connection goes back.
        boolean[] sessionChanged = {false};
        // Whether the last call through this handle succeeded (then the connection answered).
        boolean[] lastCallOk = {true};
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close" -> {
                            if (!closed[0]) {
                                closed[0] = true;
                                release(physical, sessionChanged[0], lastCallOk[0]);
                            }
                            return null;
                        }
                        case "isClosed" -> {
                            return closed[0] || physical.isClosed();
                        }
                        case "unwrap", "isWrapperFor", "equals", "hashCode", "toString" -> {
                            // fall through to the physical connection
                        }
                        case "setTransactionIsolation", "setReadOnly" -> {
                            if (closed[0]) {
                                throw new SQLException("connection already returned to the pool");
                            }
                            sessionChanged[0] = true;
                        }
                        default -> {
                            if (closed[0]) {
                                throw new SQLException("connection already returned to the pool");
                            }
                        }
                    }
                    try {
                        Object result = method.invoke(physical, args);
                        lastCallOk[0] = true;
                        return result;
                    } catch (InvocationTargetException e) {
                        lastCallOk[0] = false;
                        throw e.getCause();
                    }
                });
    }

    private boolean healthy(Idle candidate) {
        try {
            return !candidate.connection().isClosed()
                    && (System.nanoTime() - candidate.since() < checkIdleAfterNanos || candidate.connection().isValid(1));
        } catch (SQLException e) {
            return false;
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken
        }
    }

    private void release(Connection c, boolean sessionChanged, boolean lastCallOk) throws SQLException {
        boolean reusable;
        try {
            reusable = !c.isClosed() && c.getAutoCommit() && (lastCallOk || c.isValid(1));
            if (reusable && sessionChanged) {
                // A round trip each: only when a caller changed them (refreshes set the isolation of
                // their own transaction in SQL, which ends with it).
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                c.setReadOnly(false);
            }
        } catch (SQLException e) {
            reusable = false;
        }
        synchronized (idle) {
            if (reusable && idle.size() < maxIdle) {
                idle.push(new Idle(c, System.nanoTime()));
                return;
            }
        }
        c.close();
    }

    @Override
    public void close() throws SQLException {
        synchronized (idle) {
            for (Idle c : idle) {
                closeQuietly(c.connection());
            }
            idle.clear();
        }
    }

    @Override
    public String toString() {
        return target.toString();
    }
}
