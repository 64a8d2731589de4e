package io.pgtrickle.operator.generated;

import io.pgtrickle.crds.v1alpha1.ReclaimPolicy;
import io.pgtrickle.crds.v1alpha1.RefreshMode;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.lifecycle.RefreshTuning;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.testing.PostgresExtension;
import io.pgtrickle.operator.testing.Rows;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One throw-away database holding {@link GenSchema} (copied from a template made once per JVM),
 * where stream tables are applied through the real {@link StreamTableService} (refresh mode AUTO),
 * DML batches are run and every stream table is compared, after its refresh, with PostgreSQL's own
 * result of its query: the plain {@code SELECT <output columns> FROM <storage table>} must equal
 * {@code SELECT * FROM (<query>) q} as a multiset (every value compared as its text).
 */
final class GenLab implements AutoCloseable {
    private static final String TEMPLATE = "gen_template";
    private static boolean templateReady;

    /** Outcome of one check of one stream table. */
    enum Kind { OK, TEXT_ONLY, MISMATCH, REFRESH_ERROR, APPLY_ERROR, INVALID_QUERY }

    /** One check: its outcome, the refresh mode that ran, a description, and both sides when compared. */
    record Check(Kind kind, String mode, String detail, List<String> expected, List<String> actual, long written) {
        Check(Kind kind, String mode, String detail, List<String> expected, List<String> actual) {
            this(kind, mode, detail, expected, actual, -1);
        }

        Check written(long rows) {
            return new Check(kind, mode, detail, expected, actual, rows);
        }

        /** Equal as the contract defines it (by each type's equality), even if printed differently. */
        boolean ok() {
            return kind == Kind.OK || kind == Kind.TEXT_ONLY;
        }
    }

    /** A stream table applied here. */
    record Installed(String name, String sql, StreamTableRecord record) {
    }

    /**
     * AUTO with a change ratio above any batch and no learning from history: the batches' refreshes
     * run DIFFERENTIAL whenever the plan is (a truncated source still forces FULL). With
     * {@code -Dgen.autoDefaults=true} the documented AUTO defaults decide instead.
     */
    static final RefreshTuning TUNING = Boolean.getBoolean("gen.autoDefaults")
            ? RefreshTuning.DEFAULTS : new RefreshTuning(0.9, false);

    private final String name;
    private final JdbcDatabase db;
    private final StreamTableService service;
    private final RefreshTuning tuning;

    GenLab(String name) {
        this(name, TUNING);
    }

    /** A lab whose stream tables are refreshed with {@code tuning}. */
    GenLab(String name, RefreshTuning tuning) {
        ensureTemplate();
        this.name = name;
        this.tuning = tuning;
        exec("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)",
                "CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
        this.db = JdbcDatabase.fromUrl(PostgresExtension.server().jdbcUrl(name));
        this.service = new StreamTableService(db);
    }

    private static synchronized void ensureTemplate() {
        if (!templateReady) {
            PostgresExtension.server().createDatabase(TEMPLATE);
            exec(TEMPLATE, GenSchema.SQL.toArray(String[]::new));
            templateReady = true;
        }
    }

    private static void exec(String database, String... sql) {
        try (Connection c = JdbcDatabase.fromUrl(PostgresExtension.server().jdbcUrl(database)).connect();
             Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    Connection connect() throws SQLException {
        return db.connect();
    }

    /** Applies the upstream stream tables {@code sql} reads (all of them with {@code all}). */
    List<Installed> applyUpstreams(String sql, boolean all) {
        List<Installed> out = new ArrayList<>();
        for (Map.Entry<String, String> u : new TreeMap<>(GenSchema.UPSTREAM).entrySet()) {
            if (all || sql.contains("st." + u.getKey())) {
                Object r = apply(u.getKey(), u.getValue());
                if (r instanceof Check c) {
                    throw new IllegalStateException("upstream " + u.getKey() + " not applied: " + c.detail());
                }
                out.add((Installed) r);
            }
        }
        return out;
    }

    /** Applies {@code sql} as stream table {@code st.<stName>}: an {@link Installed} or a failed {@link Check}. */
    Object apply(String stName, String sql) {
        try {
            StreamTableRecord r = service.apply(new StreamTableDefinition(new StreamTableKey("gen", stName),
                    "uid-" + stName, new QualifiedName("st", stName), sql, RefreshMode.AUTO, "1h", false,
                    ReclaimPolicy.Delete, 1L).withTuning(tuning)).record();
            return new Installed(stName, sql, r);
        } catch (Exception | AssertionError e) {
            return new Check(Kind.APPLY_ERROR, null, "apply failed: " + describe(e), List.of(), List.of());
        }
    }

    /** Whether PostgreSQL runs {@code sql}; null when it does, else its error. */
    String validate(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SELECT count(*) FROM (" + sql + ") q");
            return null;
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    /** The transaction held open from the previous batch, and what it writes when it commits. */
    private Connection held;
    private List<String> heldWrites = List.of();

    /**
     * Runs a batch; returns the number of transactions that failed (and were rolled back). The
     * transaction held open by the previous batch writes and commits first; one of this batch marked
     * {@link DmlGenerator#HELD} takes its transaction id before the others and stays open.
     */
    int run(DmlGenerator.Batch batch) throws SQLException {
        int failed = finishHeld() ? 0 : 1;
        for (List<String> tx : batch.transactions()) {
            if (!tx.isEmpty() && tx.get(0).equals(DmlGenerator.HELD)) {
                held = connect();
                held.setAutoCommit(false);
                try (Statement s = held.createStatement()) {
                    s.execute("SELECT pg_current_xact_id()");
                }
                heldWrites = tx.subList(1, tx.size());
            }
        }
        for (List<String> tx : batch.transactions()) {
            if (tx.isEmpty() || tx.get(0).equals(DmlGenerator.HELD)) {
                continue;
            }
            try (Connection c = connect()) {
                c.setAutoCommit(false);
                if (!commit(c, tx)) {
                    failed++;
                }
            }
        }
        return failed;
    }

    /** Runs {@code tx} on {@code c} and commits; false when a statement failed (then rolled back). */
    private static boolean commit(Connection c, List<String> tx) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : tx) {
                if (q.equals("ROLLBACK")) {
                    c.rollback();
                } else if (!q.startsWith("--")) {
                    s.execute(q);
                }
            }
            c.commit();
            return true;
        } catch (SQLException e) {
            c.rollback();
            return false;
        }
    }

    /** Writes and commits the held transaction, if any; false when it failed. */
    private boolean finishHeld() throws SQLException {
        if (held == null) {
            return true;
        }
        try (Connection c = held) {
            held = null;
            return commit(c, heldWrites);
        }
    }

    /** Refreshes {@code st} and compares it with its query. */
    Check refreshAndCheck(Installed st) {
        RefreshResult r;
        try {
            r = service.refresh(new StreamTableKey("gen", st.name()));
            service.cleanupAfter(r);
        } catch (Exception | AssertionError e) {
            return new Check(Kind.REFRESH_ERROR, null, "refresh failed: " + describe(e), List.of(), List.of());
        }
        return compare(st, r.mode()).written(r.rows());
    }

    /**
     * Compares the stream table's plain SELECT of the query's columns with the query, as multisets:
     * first as text; when the texts differ, by each column type's equality (json, xml and other types
     * without one as text), which is the contract — a numeric {@code -1.00} for {@code -1} is then
     * {@link Kind#TEXT_ONLY}, equal but printed differently.
     */
    Check compare(Installed st, String mode) {
        List<String> expected;
        List<String> columns = new ArrayList<>();
        try (Connection c = connect()) {
            try {
                expected = rows(c, "SELECT * FROM (" + st.sql() + ") q", columns);
            } catch (SQLException e) {
                return new Check(Kind.INVALID_QUERY, mode, "PostgreSQL rejects the query: " + e.getMessage(),
                        List.of(), List.of());
            }
            String table = "st." + st.name();
            List<String> actual = rows(c, "SELECT " + String.join(", ", quoted(columns)) + " FROM " + table, null);
            if (expected.equals(actual)) {
                return new Check(Kind.OK, mode, null, expected, actual);
            }
            Kind kind = differByEquality(c, table, st.sql(), columns) ? Kind.MISMATCH : Kind.TEXT_ONLY;
            return new Check(kind, mode, diff(expected, actual), expected, actual);
        } catch (SQLException e) {
            return new Check(Kind.REFRESH_ERROR, mode, "reading the stream table failed: " + e.getMessage(),
                    List.of(), List.of());
        }
    }

    private static List<String> quoted(List<String> columns) {
        return columns.stream().map(n -> "\"" + n.replace("\"", "\"\"") + "\"").toList();
    }

    /** Whether the table and the query differ as multisets under each column type's equality. */
    static boolean differByEquality(Connection c, String table, String sql, List<String> columns) throws SQLException {
        List<String> typed = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT a.attname, EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprname = '=' AND o.oprleft = a.atttypid"
                        + " AND o.oprright = a.atttypid) OR (t.typcategory = 'A' AND EXISTS (SELECT 1 FROM pg_operator o"
                        + " WHERE o.oprname = '=' AND o.oprleft = t.typelem AND o.oprright = t.typelem))"
                        + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                        + " WHERE a.attrelid = '" + table + "'::regclass AND a.attnum > 0")) {
            Map<String, Boolean> equality = new HashMap<>();
            while (rs.next()) {
                equality.put(rs.getString(1), rs.getBoolean(2));
            }
            for (String q : quoted(columns)) {
                String name = q.substring(1, q.length() - 1).replace("\"\"", "\"");
                typed.add(Boolean.TRUE.equals(equality.get(name)) ? q : q + "::text");
            }
        }
        String cols = String.join(", ", typed);
        String st = "SELECT " + cols + " FROM " + table;
        String query = "SELECT " + cols + " FROM (" + sql + ") q";
        return Rows.count(c, "SELECT (SELECT count(*) FROM (" + st + " EXCEPT ALL " + query + ") a)"
                + " + (SELECT count(*) FROM (" + query + " EXCEPT ALL " + st + ") b)") > 0;
    }

    /** The rows of {@code sql} as sorted text ({@code |}-separated values); fills {@code columns} with its labels. */
    static List<String> rows(Connection c, String sql, List<String> columns) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            for (int i = 1; columns != null && i <= n; i++) {
                columns.add(md.getColumnLabel(i));
            }
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    b.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        }
        Collections.sort(out);
        return out;
    }

    static String diff(List<String> expected, List<String> actual) {
        List<String> missing = new ArrayList<>(expected);
        actual.forEach(missing::remove);
        List<String> extra = new ArrayList<>(actual);
        expected.forEach(extra::remove);
        return "expected " + expected.size() + " rows, stream table has " + actual.size() + "; missing "
                + missing.stream().limit(4).toList() + (missing.size() > 4 ? " (+" + (missing.size() - 4) + ")" : "")
                + ", extra " + extra.stream().limit(4).toList() + (extra.size() > 4 ? " (+" + (extra.size() - 4) + ")" : "");
    }

    static String describe(Throwable e) {
        StringBuilder b = new StringBuilder(e.getClass().getSimpleName() + ": " + e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            b.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        String s = b.toString().replaceAll("\\s+", " ");
        return s.length() > 600 ? s.substring(0, 600) + "…" : s;
    }

    @Override
    public void close() {
        if (held != null) {
            try {
                held.close();
            } catch (SQLException ignored) {
                // dropped with the database below
            }
        }
        exec("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
}
