package io.pgtrickle.operator.hostile;

import io.pgtrickle.operator.db.Identifiers;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a hostile case must neither do nor leave behind, read from one database as a superuser: its
 * relations, schemas, triggers, functions, types, policies (outside PostgreSQL's own schemas), the contents of
 * every table (sources, the side-effect table, the pg-trickle catalog and change buffers) as checksums, sequences,
 * large objects, replication slots, prepared transactions, advisory locks and the sessions still open; and,
 * cluster-wide, roles, databases and per-role or per-database settings. Two snapshots are equal when nothing
 * of it changed; {@link #diff} says what did.
 *
 * @param entries one entry per object ("relation public.orders" → its kind, "rows public.orders" → checksum, ...)
 */
record DatabaseSnapshot(SortedMap<String, String> entries) {

    private static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

    private static final Map<String, String> QUERIES = Map.ofEntries(
            Map.entry("relation", "SELECT format('%I.%I', n.nspname, c.relname), c.relkind::text FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_SCHEMAS),
            Map.entry("schema", "SELECT n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE "
                    + USER_SCHEMAS),
            Map.entry("trigger", "SELECT t.tgrelid::regclass || ' ' || t.tgname, t.tgenabled::text FROM pg_trigger t"
                    + " WHERE NOT t.tgisinternal"),
            Map.entry("function", "SELECT p.oid::regprocedure::text, p.provolatile::text FROM pg_proc p"
                    + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE " + USER_SCHEMAS),
            Map.entry("type", "SELECT format('%I.%I', n.nspname, t.typname), t.typtype::text FROM pg_type t"
                    + " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " + USER_SCHEMAS),
            Map.entry("policy", "SELECT polrelid::regclass || ' ' || polname, pg_get_expr(polqual, polrelid)"
                    + " FROM pg_policy"),
            Map.entry("sequence", "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value::text, 'unused')"
                    + " FROM pg_sequences"),
            Map.entry("large objects", "SELECT 'count', count(*)::text FROM pg_largeobject_metadata"),
            Map.entry("replication slot", "SELECT slot_name::text, plugin::text FROM pg_replication_slots"),
            Map.entry("prepared transaction", "SELECT gid, database::text FROM pg_prepared_xacts"),
            Map.entry("advisory locks", "SELECT 'count', count(*)::text FROM pg_locks WHERE locktype = 'advisory'"),
            Map.entry("role", "SELECT rolname::text, concat_ws(',', rolsuper, rolcanlogin) FROM pg_roles"),
            Map.entry("database", "SELECT datname::text, '' FROM pg_database"),
            Map.entry("setting", "SELECT coalesce(pg_get_userbyid(setrole), '*') || '@' || setdatabase,"
                    + " array_to_string(setconfig, ',') FROM pg_db_role_setting"),
            Map.entry("extension", "SELECT extname::text, extversion FROM pg_extension"),
            Map.entry("publication", "SELECT pubname::text, '' FROM pg_publication"),
            Map.entry("event trigger", "SELECT evtname::text, evtevent FROM pg_event_trigger"));

    /** Takes the snapshot through {@code c}; {@code extra} lines ("key value") are added as they are. */
    static DatabaseSnapshot take(Connection c, String sentinel, List<String> extra) throws SQLException {
        SortedMap<String, String> e = new TreeMap<>();
        try (Statement s = c.createStatement()) {
            // one round trip for the objects, one for the list of tables, one for every table's checksum
            StringBuilder objects = new StringBuilder();
            for (Map.Entry<String, String> q : QUERIES.entrySet()) {
                objects.append(objects.length() == 0 ? "" : "\nUNION ALL\n").append("SELECT ")
                        .append(Identifiers.literal(q.getKey() + " ")).append(" || k::text, v::text FROM (").append(q.getValue())
                        .append(") AS q(k, v)");
            }
            read(s, objects.toString(), e);
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm') AND "
                    + USER_SCHEMAS)) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            read(s, tables.stream().map(t -> "SELECT " + Identifiers.literal("rows " + t) + ", count(*) || ' rows, md5 '"
                    + " || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM " + t + " t")
                    .collect(java.util.stream.Collectors.joining("\nUNION ALL\n")), e);
            e.put("other sessions", String.valueOf(otherSessions(s, sentinel)));
        }
        for (String x : extra) {
            int space = x.lastIndexOf(' ');
            e.put(x.substring(0, space), x.substring(space + 1));
        }
        return new DatabaseSnapshot(e);
    }

    private static void read(Statement s, String sql, Map<String, String> into) throws SQLException {
        if (sql.isEmpty()) {
            return;
        }
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                into.put(rs.getString(1), String.valueOf(rs.getString(2)));
            }
        }
    }

    private static long otherSessions(Statement s, String sentinel) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                + " AND application_name IS DISTINCT FROM '" + sentinel + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits (at most 5 s) until the sessions a case opened have ended: a closed connection's backend exits soon after. */
    static void awaitOtherSessionsGone(Connection c, String sentinel) throws SQLException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        try (Statement s = c.createStatement()) {
            while (otherSessions(s, sentinel) > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The keys present here and not in {@code before}. */
    List<String> added(DatabaseSnapshot before) {
        return entries.keySet().stream().filter(k -> !before.entries.containsKey(k)).toList();
    }

    /** What changed from {@code before} to this snapshot, one line per object; empty when nothing did. */
    String diff(DatabaseSnapshot before) {
        StringBuilder b = new StringBuilder();
        for (String k : before.entries.keySet()) {
            if (!entries.containsKey(k)) {
                b.append("\n  removed: ").append(k);
            } else if (!entries.get(k).equals(before.entries.get(k))) {
                b.append("\n  changed: ").append(k).append(": ").append(before.entries.get(k)).append(" -> ")
                        .append(entries.get(k));
            }
        }
        for (String k : added(before)) {
            b.append("\n  added: ").append(k).append(" (").append(entries.get(k)).append(')');
        }
        return b.toString();
    }
}
