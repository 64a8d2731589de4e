package io.pgtrickle.operator.db;

import io.pgtrickle.dvm.catalog.Catalog;
import io.pgtrickle.dvm.catalog.CatalogColumn;
import io.pgtrickle.dvm.catalog.CatalogTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The dvm {@link Catalog} read from the target database's system catalogs on the caller's
 * connection. A stream table's storage table (it has a unique index on {@code __pgt_row_id})
 * reports that column as its primary key, so stream tables can read stream tables incrementally.
 */
public final class JdbcCatalog implements Catalog {
    private final Connection c;
    private final List<String> searchPath;

    public JdbcCatalog(Connection c) throws SQLException {
        this.c = c;
        List<String> path = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT s FROM unnest(current_schemas(false)) AS s");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                path.add(rs.getString(1));
            }
        }
        this.searchPath = List.copyOf(path);
    }

    @Override
    public List<String> searchPath() {
        return searchPath;
    }

    /**
     * Per function name: {one of the database's own, in any schema, is not immutable; every one is immutable}.
     * Any schema: a call may name the schema, which the planner does not keep.
     */
    private final java.util.Map<String, boolean[]> functions = new java.util.HashMap<>();

    @Override
    public boolean userFunctionMayChange(String name) {
        return function(name)[0];
    }

    @Override
    public boolean immutableFunction(String name) {
        return function(name)[1];
    }

    private boolean[] function(String name) {
        boolean[] known = functions.get(name);
        if (known != null) {
            return known;
        }
        // pg_proc marks every aggregate immutable, whatever its transition and final functions do
        try (PreparedStatement ps = c.prepareStatement("""
                WITH f AS (
                    SELECT n.nspname = 'pg_catalog' AS builtin,
                           p.provolatile = 'i' AND NOT EXISTS (
                               SELECT 1 FROM pg_aggregate a JOIN pg_proc s ON s.oid IN (a.aggtransfn::oid,
                                      a.aggfinalfn::oid, a.aggcombinefn::oid, a.aggmtransfn::oid,
                                      a.aggminvtransfn::oid, a.aggmfinalfn::oid)
                                WHERE a.aggfnoid = p.oid AND s.provolatile <> 'i') AS immutable
                      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE p.proname = ?)
                SELECT coalesce(bool_or(NOT builtin AND NOT immutable), false),
                       coalesce(bool_and(immutable), false)
                  FROM f""")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                known = new boolean[] {rs.getBoolean(1), rs.getBoolean(2)};
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the volatility of function " + name + ": " + e.getMessage(), e);
        }
        functions.put(name, known);
        return known;
    }

    @Override
    public Optional<CatalogTable> table(String schema, String name) {
        try {
            return read(schema, name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the catalog of " + schema + "." + name + ": "
                    + e.getMessage(), e);
        }
    }

    private Optional<CatalogTable> read(String schema, String name) throws SQLException {
        long oid;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT r.oid FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
                 WHERE n.nspname = ? AND r.relname = ? AND r.relkind IN ('r', 'p')""")) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                oid = rs.getLong(1);
            }
        }
        List<CatalogColumn> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT attname, format_type(atttypid, atttypmod), attnotnull
                  FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped
                 ORDER BY attnum""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new CatalogColumn(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
                }
            }
        }
        List<String> key = keyColumns(oid, true);
        if (key.isEmpty()) {
            List<String> rowId = keyColumns(oid, false);
            if (rowId.equals(List.of("__pgt_row_id"))) {
                key = rowId;
            }
        }
        return Optional.of(new CatalogTable(oid, schema, name, columns, key));
    }

    /** Columns of the primary key, or (primary = false) of a unique index on exactly one column. */
    private List<String> keyColumns(long oid, boolean primary) throws SQLException {
        String sql = primary ? """
                SELECT a.attname FROM pg_index i
                  JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                 WHERE i.indrelid = ? AND i.indisprimary ORDER BY k.ord""" : """
                SELECT a.attname FROM pg_index i
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                 WHERE i.indrelid = ? AND i.indisunique AND i.indnatts = 1 AND i.indpred IS NULL
                   AND a.attname = '__pgt_row_id'""";
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
