package io.pgtrickle.dvm.it;

import io.pgtrickle.dvm.catalog.Catalog;
import io.pgtrickle.dvm.catalog.CatalogColumn;
import io.pgtrickle.dvm.catalog.CatalogTable;
import io.pgtrickle.dvm.plan.Plan;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real PostgreSQL (embedded, one per JVM) with what the operator would install: change
 * buffers filled by statement-level AFTER triggers with transition tables, per the contract in
 * docs/dvm.md, and a refresh loop that keeps frontiers as pg_snapshots.
 */
final class PgHarness {
  private static EmbeddedPostgres pg;

  static synchronized Connection connect() throws Exception {
    if (pg == null) {
      pg = EmbeddedPostgres.builder().start();
      try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS pgtrickle_changes");
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (Exception e) {
          // ignore at exit
        }
      }));
    }
    return pg.getPostgresDatabase().getConnection();
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new SQLException(e.getMessage() + "\n--- SQL:\n" + sql, e);
    }
  }

  static long update(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeLargeUpdate(sql);
    } catch (SQLException e) {
      throw new SQLException(e.getMessage() + "\n--- SQL:\n" + sql, e);
    }
  }

  static String scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Creates the change buffer and capture triggers of a table, as the operator will. */
  static void installCapture(Connection c, String schema, String table) throws SQLException {
    long oid = Long.parseLong(scalar(c, "SELECT '" + schema + "." + table + "'::regclass::oid"));
    String buf = "pgtrickle_changes.changes_" + oid;
    exec(c, "CREATE TABLE " + buf + " AS SELECT pg_current_xact_id() AS __pgt_xid, "
        + "1::smallint AS __pgt_weight, t.* FROM " + schema + "." + table + " t WITH NO DATA");
    exec(c, "CREATE INDEX ON " + buf + " (__pgt_xid)");
    String fn = "pgtrickle_changes.capture_" + oid;
    exec(c, "CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        + "BEGIN\n"
        + "  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
        + "    INSERT INTO " + buf + " SELECT pg_current_xact_id(), -1, o.* FROM old_rows o;\n"
        + "  END IF;\n"
        + "  IF TG_OP IN ('UPDATE', 'INSERT') THEN\n"
        + "    INSERT INTO " + buf + " SELECT pg_current_xact_id(), 1, n.* FROM new_rows n;\n"
        + "  END IF;\n"
        + "  RETURN NULL;\n"
        + "END $$");
    String t = schema + "." + table;
    exec(c, "CREATE TRIGGER pgt_ins AFTER INSERT ON " + t
        + " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "()");
    exec(c, "CREATE TRIGGER pgt_upd AFTER UPDATE ON " + t
        + " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        + "EXECUTE FUNCTION " + fn + "()");
    exec(c, "CREATE TRIGGER pgt_del AFTER DELETE ON " + t
        + " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "()");
  }

  /** The catalog read from PostgreSQL, as the operator's JDBC implementation would. */
  static Catalog catalog(Connection c, String schema) {
    return new Catalog() {
      @Override
      public Optional<CatalogTable> table(String s, String name) {
        try (var ps = c.prepareStatement(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, cl.oid "
                + "FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace "
                + "JOIN pg_attribute a ON a.attrelid = cl.oid "
                + "WHERE n.nspname = ? AND cl.relname = ? AND a.attnum > 0 "
                + "AND NOT a.attisdropped ORDER BY a.attnum")) {
          ps.setString(1, s);
          ps.setString(2, name);
          List<CatalogColumn> cols = new ArrayList<>();
          long oid = -1;
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              cols.add(new CatalogColumn(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
              oid = rs.getLong(4);
            }
          }
          if (cols.isEmpty()) {
            return Optional.empty();
          }
          List<String> pk = new ArrayList<>();
          try (var ps2 = c.prepareStatement(
              "SELECT a.attname FROM pg_index i "
                  + "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) ON true "
                  + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                  + "WHERE i.indrelid = ? AND i.indisprimary ORDER BY k.ord")) {
            ps2.setLong(1, oid);
            try (ResultSet rs = ps2.executeQuery()) {
              while (rs.next()) {
                pk.add(rs.getString(1));
              }
            }
          }
          return Optional.of(new CatalogTable(oid, s, name, cols, pk));
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public List<String> searchPath() {
        return List.of(schema);
      }
    };
  }

  /** One installed stream table and its frontier. */
  static final class StreamTable {
    final Connection c;
    final Plan plan;
    final String table;
    String frontier;
    long lastRows;

    StreamTable(Connection c, Plan plan, String table) {
      this.c = c;
      this.plan = plan;
      this.table = table;
    }

    void install() throws SQLException {
      c.setAutoCommit(false);
      exec(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      String snap = scalar(c, "SELECT pg_current_snapshot()::text");
      for (String ddl : plan.storageDdl(table)) {
        exec(c, ddl);
      }
      update(c, plan.initialLoadSql(table));
      c.commit();
      c.setAutoCommit(true);
      frontier = snap;
    }

    void refresh() throws SQLException {
      c.setAutoCommit(false);
      exec(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      String snap = scalar(c, "SELECT pg_current_snapshot()::text");
      lastRows = 0;
      for (String sql : plan.refreshSql(table, "'" + frontier + "'")) {
        lastRows += update(c, sql);
      }
      c.commit();
      c.setAutoCommit(true);
      frontier = snap;
    }

    /** Rows of the storage table not in the query's result and vice versa (multisets). */
    long differences() throws SQLException {
      try {
        return differences("*");
      } catch (SQLException e) {
        if (!String.valueOf(e.getMessage()).contains("equality operator")) {
          throw e;
        }
        // json has no equality: compare rows by their text.
        return differences("x::text");
      }
    }

    private long differences(String item) throws SQLException {
      String st = plan.readSql(table);
      String q = plan.query();
      String a = "SELECT " + item + " FROM (" + st + ") AS x";
      String b = "SELECT " + item + " FROM (" + q + ") AS x";
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        exec(c, "SAVEPOINT diff");
        long n = Long.parseLong(scalar(c, "SELECT count(*) FROM (\n(" + a + "\nEXCEPT ALL\n" + b
            + ")\nUNION ALL\n(" + b + "\nEXCEPT ALL\n" + a + ")) AS d"));
        exec(c, "RELEASE SAVEPOINT diff");
        return n;
      } catch (SQLException e) {
        exec(c, "ROLLBACK TO SAVEPOINT diff");
        throw e;
      } finally {
        c.commit();
        c.setAutoCommit(auto);
      }
    }
  }
}
