package io.pgtrickle.operator.db;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps a few idle connections to one target database, so a refresh that has nothing to do costs
 * one cheap check instead of a new PostgreSQL backend (a fork, several milliseconds). A connection is
 * returned on {@code close()} only if it is healthy and back in auto-commit mode; a broken one is
 * discarded.
 */
public final class PooledDatabase implements Database, AutoCloseable {
    private final Database target;
    private final int maxIdle;
    private final Deque<Connection> idle = new ArrayDeque<>();

    public PooledDatabase(Database target, int maxIdle) {
        this.target = target;
        this.maxIdle = maxIdle;
    }

    @Override
    public Connection connect() throws SQLException {
        Connection real = null;
        synchronized (idle) {
            while (real == null && !idle.isEmpty()) {
                Connection c = idle.pop();
                if (!c.isClosed()) {
                    real = c;
                }
            }
        }
        if (real == null) {
            real = target.connect();
        }
        Connection physical = real;
        boolean[] closed = {false};
        // Session settings changed through this handle, reset before the connection goes back.
        boolean[] sessionChanged = {false};
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close" -> {
                            if (!closed[0]) {
                                closed[0] = true;
                                release(physical, sessionChanged[0]);
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
                        return method.invoke(physical, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private void release(Connection c, boolean sessionChanged) throws SQLException {
        boolean reusable;
        try {
            reusable = !c.isClosed() && c.getAutoCommit() && c.isValid(1);
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
                idle.push(c);
                return;
            }
        }
        c.close();
    }

    @Override
    public void close() throws SQLException {
        synchronized (idle) {
            for (Connection c : idle) {
                c.close();
            }
            idle.clear();
        }
    }

    @Override
    public String toString() {
        return target.toString();
    }
}
