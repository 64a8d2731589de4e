package io.pgtrickle.operator.controller;

import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.db.PooledDatabase;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import java.sql.SQLException;
import io.pgtrickle.operator.lifecycle.StreamTableService;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link StreamTableService} per target database, so the scheduler sees a stable service for
 * a stream table across reconciles (a changed Secret yields a new one).
 */
public final class ServiceCache {
    private final Map<String, StreamTableService> services = new ConcurrentHashMap<>();
    private final Map<StreamTableKey, StreamTableService> byKey = new ConcurrentHashMap<>();

    public StreamTableService forTarget(JdbcDatabase db) {
        return services.computeIfAbsent(db.identity(), k -> new StreamTableService(new PooledDatabase(db, 4)));
    }

    /** Remembers which service (database) holds {@code key}, for status updates after refreshes. */
    public void bind(StreamTableKey key, StreamTableService service) {
        byKey.put(key, service);
    }

    public void unbind(StreamTableKey key) {
        byKey.remove(key);
    }

    /** The catalog row of {@code key}, or null when unknown, uninstalled or unreachable. */
    public StreamTableRecord lookup(StreamTableKey key) {
        StreamTableService s = byKey.get(key);
        if (s == null) {
            return null;
        }
        try {
            return s.find(key).orElse(null);
        } catch (SQLException e) {
            return null;
        }
    }
}
