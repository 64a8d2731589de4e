package io.pgtrickle.operator.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Query results as sorted multisets of text rows, for comparing a stream table with its query. */
public final class Rows {
    private Rows() {
    }

    public static List<String> multiset(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    b.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                rows.add(b.toString());
            }
        }
        Collections.sort(rows);
        return rows;
    }

    /**
     * The user-visible rows of a stream table: every column except the hidden {@code __pgt_*} ones, a plain SELECT
     * (each copy of a duplicate row is a row of its own).
     */
    public static List<String> storage(Connection c, String table) throws SQLException {
        String cols;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
                        + " WHERE attrelid = '" + table.replace("'", "''") + "'::regclass AND attnum > 0"
                        + " AND NOT attisdropped AND attname NOT LIKE '\\_\\_pgt\\_%'")) {
            rs.next();
            cols = rs.getString(1);
        }
        return multiset(c, "SELECT " + cols + " FROM " + table);
    }

    public static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
