package io.pgtrickle.operator.verify;

import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.db.QualifiedName;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares a stream table with PostgreSQL's own evaluation of its query, as multisets, in the caller's
 * transaction (so both are read in one snapshot): the rows the query returns that the table lacks, and the
 * rows the table holds that the query does not return, each counted with multiplicity, a few of each shown.
 *
 * <p>Columns compare by their type's equality; types without one (json, xml, geometric, composite) by their
 * text, and floating-point columns after rounding to {@code real}, so that a sum computed in another order
 * (the last bits of a double) is not taken for a different result. Should PostgreSQL find no equality for a
 * column all the same, every column is compared as text.
 *
 * <p>Both sides are first reduced to a checksum, in one scan each: the row count and the sum of a 64-bit hash
 * of every row (the row hash of the columns' own hash functions, which agree with their equality, hashed once
 * more so that the sum depends on which values share a row, not only on each column's values). Equal
 * checksums are taken as equal results; a differing pair of results has about one chance in 2^64 of summing to
 * the same hash. Only when they differ (or a column's type has no hash function) do the set operations run,
 * {@code EXCEPT ALL} each way, which count and show the differing rows: on the standard workload's
 * 1,000,000-row scan the checksum costs about a third of them.
 */
public final class ResultComparison {
    private ResultComparison() {
    }

    /**
     * The outcome: {@code missing} rows of the query absent from the table, {@code extra} rows of the table the
     * query does not return, up to the requested number of each, as PostgreSQL prints a row, and the number of
     * rows the query returned.
     */
    public record Difference(long missing, long extra, List<String> missingSample, List<String> extraSample,
                             long rows) {
        public Difference {
            missingSample = List.copyOf(missingSample);
            extraSample = List.copyOf(extraSample);
        }

        public boolean equal() {
            return missing == 0 && extra == 0;
        }

        /** One line for a status, an event or a log: how many rows differ each way. */
        public String summary() {
            return missing + " row(s) of the query missing from the table, " + extra
                    + " row(s) in the table the query does not return";
        }
    }

    /**
     * Compares the user columns (every column not named {@code __pgt_*}) of {@code table} with {@code query},
     * showing at most {@code sample} rows each way. {@code query} is the user's text, run as written through a
     * plain statement (never a prepared one, where a {@code ?} operator would be taken for a parameter).
     */
    public static Difference compare(Connection c, QualifiedName table, String query, int sample) throws SQLException {
        List<Column> columns = userColumns(c, table);
        Savepoint before = c.getAutoCommit() ? null : c.setSavepoint();
        try {
            Long rows = checksumsAgree(c, table, query, columns);
            if (before != null) {
                c.releaseSavepoint(before);
                before = null;
            }
            if (rows != null) {
                return new Difference(0, 0, List.of(), List.of(), rows);
            }
        } catch (SQLException e) {
            if (!"42883".equals(e.getSQLState())) {
                throw e;
            }
            if (before != null) {
                c.rollback(before); // a column type without a hash function: the set operations compare it
                before = null;
            }
        }
        before = c.getAutoCommit() ? null : c.setSavepoint();
        try {
            Difference d = run(c, table, query, columns, false, sample);
            if (before != null) {
                c.releaseSavepoint(before);
            }
            return d;
        } catch (SQLException e) {
            if (!"42883".equals(e.getSQLState()) || before == null) {
                throw e;
            }
            c.rollback(before); // a type with no equality operator after all: compare as text
            return run(c, table, query, columns, true, sample);
        }
    }

    /** The rows of the query when both sides have the same checksum (see the class comment); null when not. */
    private static Long checksumsAgree(Connection c, QualifiedName table, String query, List<Column> columns)
            throws SQLException {
        String sql = "SELECT q.n, q.h, t.n, t.h FROM\n"
                + "(SELECT count(*) AS n, coalesce(sum(" + rowHash("q", columns) + "), 0) AS h FROM (\n"
                + stripSemicolons(query) + "\n) AS q) AS q,\n"
                + "(SELECT count(*) AS n, coalesce(sum(" + rowHash("t", columns) + "), 0) AS h FROM "
                + table.sql() + " AS t) AS t";
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                boolean same = rs.getLong(1) == rs.getLong(3) && rs.getBigDecimal(2).equals(rs.getBigDecimal(4));
                return same ? rs.getLong(1) : null;
            }
        }
    }

    /**
     * A 64-bit hash of a row of {@code alias}: {@code hash_record_extended} combines the columns' hashes linearly
     * (h1 * 31 + h2), so a sum of it over rows would only see each column's values, not which of them share a
     * row (rows (1, a), (2, b) and (1, b), (2, a) would sum alike); hashing it once more as text breaks that.
     */
    private static String rowHash(String alias, List<Column> columns) {
        List<String> cols = new ArrayList<>();
        for (Column col : columns) {
            cols.add(alias + "." + Identifiers.quote(col.name()) + (col.asText() ? "::text" : col.floating() ? "::real" : ""));
        }
        return "hashtextextended(hash_record_extended(ROW(" + String.join(", ", cols) + "), 0)::text, 0)";
    }

    private record Column(String name, boolean asText, boolean floating) {
    }

    private static Difference run(Connection c, QualifiedName table, String query, List<Column> columns,
                                  boolean allText, int sample) throws SQLException {
        List<String> st = new ArrayList<>();
        List<String> q = new ArrayList<>();
        for (Column col : columns) {
            String id = Identifiers.quote(col.name());
            String cast = allText || col.asText() ? "::text" : col.floating() ? "::real" : "";
            st.add("t." + id + cast + " AS " + id);
            q.add("q." + id + cast + " AS " + id);
        }
        String stList = st.isEmpty() ? "" : String.join(", ", st);
        String qList = q.isEmpty() ? "" : String.join(", ", q);
        String sql = "WITH st AS (SELECT " + stList + " FROM " + table.sql() + " AS t),\n"
                + "q AS (SELECT " + qList + " FROM (\n" + stripSemicolons(query) + "\n) AS q),\n"
                + "missing AS (SELECT * FROM q EXCEPT ALL SELECT * FROM st),\n"
                + "extra AS (SELECT * FROM st EXCEPT ALL SELECT * FROM q)\n"
                + "SELECT (SELECT count(*) FROM missing), (SELECT count(*) FROM extra), (SELECT count(*) FROM q),\n"
                + "       ARRAY(SELECT m::text FROM missing AS m LIMIT " + sample + "),\n"
                + "       ARRAY(SELECT e::text FROM extra AS e LIMIT " + sample + ")";
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return new Difference(rs.getLong(1), rs.getLong(2), strings(rs.getArray(4)), strings(rs.getArray(5)),
                        rs.getLong(3));
            }
        }
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : List.of((String[]) a.getArray());
    }

    private static String stripSemicolons(String query) {
        String s = query.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }

    private static List<Column> userColumns(Connection c, QualifiedName table) throws SQLException {
        List<Column> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname,
                       b.typtype = 'c' OR e.typtype = 'c' OR b.typcategory = 'G' OR e.typcategory = 'G'
                           OR coalesce(e.typname, b.typname) IN ('json', 'xml'),
                       b.typname IN ('float4', 'float8')
                  FROM pg_attribute a
                  JOIN pg_type t ON t.oid = a.atttypid
                  JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
                  LEFT JOIN pg_type e ON e.oid = b.typelem AND b.typcategory = 'A'
                 WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped
                   AND a.attname NOT LIKE '\\_\\_pgt\\_%'
                 ORDER BY a.attnum""")) {
            ps.setString(1, table.sql());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Column(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3)));
                }
            }
        }
        if (out.isEmpty()) {
            throw new SQLException("table " + table + " does not exist or has no columns", "42P01");
        }
        return out;
    }
}
