package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.db.QualifiedName;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * FULL refresh: recompute the query and replace the storage table's contents, inside the caller's
 * transaction so the swap is atomic for every reader that starts after the commit.
 *
 * <p>TRUNCATE rather than DELETE: it is what makes FULL cost about the same as
 * {@code REFRESH MATERIALIZED VIEW} (which also takes an exclusive lock), and the workload's
 * baseline is exactly that.
 */
public final class FullRefresh {
    private FullRefresh() {
    }

    /** Replaces the contents of {@code table} with the result of {@code query}; returns the row count. */
    public static long run(Connection c, QualifiedName table, String query) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + table.sql());
            return s.executeUpdate(insertSql(table, query));
        }
    }

    static String insertSql(QualifiedName table, String query) {
        // The newline keeps a trailing "-- comment" in the user's query from swallowing ") AS q".
        return "INSERT INTO " + table.sql() + "\nSELECT * FROM (\n" + query + "\n) AS q";
    }

    /** Creates the storage table with the query's output columns, names and types, empty. */
    public static void createStorage(Connection c, QualifiedName table, String query) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + io.pgtrickle.operator.db.Identifiers.quote(table.schema()));
            s.execute("CREATE TABLE " + table.sql() + " AS\nSELECT * FROM (\n" + query + "\n) AS q\nWITH NO DATA");
        }
    }
}
