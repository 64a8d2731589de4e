package io.pgtrickle.operator.schedule;

import io.pgtrickle.operator.lifecycle.StreamTableKey;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Orders stream tables so that every one comes after the stream tables it reads (upstream before
 * downstream), keeping the caller's order otherwise. Cycles cannot be created (a query cannot read a
 * table that does not exist yet) but are reported rather than looped on.
 */
public final class DependencyOrder {
    /** Direct upstream stream tables of a key. */
    @FunctionalInterface
    public interface Upstream {
        List<StreamTableKey> of(StreamTableKey key) throws SQLException;
    }

    private DependencyOrder() {
    }

    public static List<StreamTableKey> sort(List<StreamTableKey> keys, Upstream upstream) throws SQLException {
        Set<StreamTableKey> wanted = new LinkedHashSet<>(keys);
        List<StreamTableKey> out = new ArrayList<>();
        Set<StreamTableKey> done = new HashSet<>();
        for (StreamTableKey k : wanted) {
            visit(k, wanted, upstream, done, new LinkedHashSet<>(), out);
        }
        return out;
    }

    /** Number of stream tables on the longest upstream path of {@code key}. */
    public static int depth(StreamTableKey key, Upstream upstream) throws SQLException {
        return depth(key, upstream, new LinkedHashSet<>());
    }

    private static int depth(StreamTableKey key, Upstream upstream, Set<StreamTableKey> path) throws SQLException {
        if (!path.add(key)) {
            throw new IllegalStateException("stream tables depend on each other in a cycle: " + path);
        }
        int d = 0;
        for (StreamTableKey u : upstream.of(key)) {
            d = Math.max(d, 1 + depth(u, upstream, path));
        }
        path.remove(key);
        return d;
    }

    private static void visit(StreamTableKey k, Set<StreamTableKey> wanted, Upstream upstream,
                              Set<StreamTableKey> done, Set<StreamTableKey> path, List<StreamTableKey> out)
            throws SQLException {
        if (done.contains(k)) {
            return;
        }
        if (!path.add(k)) {
            throw new IllegalStateException("stream tables depend on each other in a cycle: " + path);
        }
        for (StreamTableKey u : upstream.of(k)) {
            if (wanted.contains(u)) {
                visit(u, wanted, upstream, done, path, out);
            }
        }
        path.remove(k);
        done.add(k);
        out.add(k);
    }
}
