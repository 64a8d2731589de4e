package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.dvm.plan.OutputColumn;
import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.db.QualifiedName;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether an existing storage table has the shape a plan's storage would have, which decides at apply
 * whether it is kept (recomputed in place) or made anew.
 */
final class StorageShape {
    private StorageShape() {
    }

    /**
     * Whether the existing storage table of {@code before} is {@code table}, in the new plan's mode, and has
     * exactly the columns (names, types, order) the new plan's storage would have (and, DIFFERENTIAL, its
     * key), so that it can be kept: recomputed in place, or, FULL, kept when only its captured sources changed. Compared against a temporary table created from the plan's storage SELECT, as the storage
     * table itself is (PostgreSQL derives the types).
     */
    static boolean same(Connection c, StreamTableRecord before, QualifiedName table, Plan plan)
            throws SQLException {
        boolean keyed = plan.isDifferential();
        if (!(keyed ? "DIFFERENTIAL" : "FULL").equals(before.effectiveMode())
                || !before.storageSchema().equals(table.schema()) || !before.storageTable().equals(table.table())) {
            return false;
        }
        String columns = "SELECT array_agg(attname || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum)"
                + " FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped";
        try (Statement s = c.createStatement()) {
            java.sql.Savepoint shape = c.setSavepoint();
            try {
                s.execute("CREATE TEMP TABLE \"__pgt_shape\" AS\n" + plan.storageSelect() + "\nWITH NO DATA");
                c.releaseSavepoint(shape);
            } catch (SQLException e) {
                if (!"42501".equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(shape); // no TEMPORARY privilege on the database: recreate the table, as before
                return false;
            }
            try (ResultSet rs = s.executeQuery("SELECT (" + columns.formatted("to_regclass(" + Identifiers.literal(
                    table.sql()) + ")") + ") = (" + columns.formatted("'pg_temp.\"__pgt_shape\"'::regclass") + ")"
                    + (keyed ? " AND EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass("
                    + Identifiers.literal(table.sql()) + ") AND contype = 'p')" : ""))) {
                rs.next();
                return rs.getBoolean(1);
            } finally {
                s.execute("DROP TABLE \"__pgt_shape\"");
            }
        }
    }


    /**
     * Whether the storage table's columns are, by name and in order, the DIFFERENTIAL plan's user and hidden
     * columns. They differ for an unchanged query when the engine's storage layout for it changed (a new
     * version of the operator): the table must then be made anew, or the new refresh statement would fail on
     * the old table at every refresh.
     */
    static boolean sameColumnNames(Connection c, QualifiedName table, Plan plan) throws SQLException {
        List<String> expected = new ArrayList<>();
        plan.columns().forEach(col -> expected.add(col.name()));
        plan.hiddenColumns().stream().map(OutputColumn::name).forEach(expected::add);
        List<String> actual = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped
                 ORDER BY attnum""")) {
            ps.setString(1, table.sql());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    actual.add(rs.getString(1));
                }
            }
        }
        return actual.equals(expected);
    }
}
