package io.pgtrickle.operator.standalone;

import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.cli.StatusView;
import io.pgtrickle.operator.db.EmbeddedPostgresServer;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.schedule.Schedule;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code pgtrickle demo}: starts an embedded PostgreSQL 18, creates the sample schema the files in
 * {@code examples/} read (customers, orders), applies those StreamTables, runs a write load and
 * shows live refresh status until interrupted (or for {@code --duration}).
 */
public final class Demo {
    private final PrintStream out;
    private final PrintStream err;

    public Demo(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String durationText) {
        Duration duration = durationText == null ? null
                : Schedule.duration(durationText);
        Path examples = examplesDir();
        if (examples == null) {
            err.println("error: cannot find the examples/ directory; run the demo from the repository root");
            return 1;
        }
        out.println("starting embedded PostgreSQL ...");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(null)) {
            pg.createDatabase("app");
            String url = pg.jdbcUrl("app");
            out.println("PostgreSQL " + pg.majorVersion() + " is running: psql -h 127.0.0.1 -p " + pg.port()
                    + " -U postgres app   (JDBC: " + url + ")");
            JdbcDatabase db = JdbcDatabase.fromUrl(url);
            createSampleSchema(db);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong writes = new AtomicLong();
            Thread load = new Thread(() -> writeLoad(db, running, writes), "demo-write-load");
            load.setDaemon(true);
            load.start();
            boolean tty = System.console() != null;
            int rc = new StandaloneRunner(out, err).run(db, List.of(examples), "default", duration, service -> {
                try {
                    List<StreamTableRecord> records = service.list();
                    if (tty) {
                        out.print("\033[H\033[2J");
                    }
                    out.println("pg-trickle demo — " + Instant.now() + " — " + writes.get()
                            + " source writes so far (Ctrl-C to stop)");
                    StatusView.printTable(records, out, Instant.now());
                    out.println();
                } catch (SQLException e) {
                    err.println("status unavailable: " + e.getMessage());
                }
            });
            running.set(false);
            load.join(5000);
            return rc;
        } catch (SQLException e) {
            err.println("error: demo database setup failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    static Path examplesDir() {
        String home = System.getProperty("pgtrickle.home");
        for (Path p : new Path[] {home == null ? null : Path.of(home, "examples"), Path.of("examples"),
                Path.of("..", "examples")}) {
            if (p != null && Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** The tables the StreamTables in examples/ read. */
    public static void createSampleSchema(JdbcDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS analytics"); // where the examples store their stream tables
            s.execute("""
                    CREATE TABLE customers (
                        id     int  PRIMARY KEY,
                        name   text NOT NULL,
                        region text NOT NULL)""");
            s.execute("""
                    CREATE TABLE orders (
                        id          bigint        PRIMARY KEY,
                        customer_id int           NOT NULL REFERENCES customers,
                        amount      numeric(12,2) NOT NULL,
                        status      text          NOT NULL,
                        created_at  timestamptz   NOT NULL DEFAULT now())""");
            s.execute("""
                    INSERT INTO customers
                    SELECT g, 'customer ' || g, (ARRAY['emea','amer','apac'])[1 + g % 3]
                      FROM generate_series(1, 100) g""");
            s.execute("""
                    INSERT INTO orders (id, customer_id, amount, status, created_at)
                    SELECT g, 1 + g % 100, round((random() * 500)::numeric, 2),
                           (ARRAY['new','paid','shipped'])[1 + g % 3], now() - g * interval '1 minute'
                      FROM generate_series(1, 5000) g""");
        }
    }

    /** A few inserts, updates and deletes every 200 ms, so refreshes have something to do. */
    static void writeLoad(JdbcDatabase db, AtomicBoolean running, AtomicLong writes) {
        Random rnd = new Random(42);
        long nextId = 5001;
        try (Connection c = db.connect()) {
            PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO orders (id, customer_id, amount, status) VALUES (?, ?, ?, 'new')");
            PreparedStatement upd = c.prepareStatement(
                    "UPDATE orders SET status = 'shipped', amount = amount + 1 WHERE id = ?");
            PreparedStatement del = c.prepareStatement("DELETE FROM orders WHERE id = ?");
            while (running.get()) {
                ins.setLong(1, nextId++);
                ins.setInt(2, 1 + rnd.nextInt(100));
                ins.setBigDecimal(3, java.math.BigDecimal.valueOf(rnd.nextInt(50000), 2));
                ins.executeUpdate();
                upd.setLong(1, 1 + rnd.nextInt((int) nextId - 1));
                upd.executeUpdate();
                del.setLong(1, 1 + rnd.nextInt((int) nextId - 1));
                del.executeUpdate();
                writes.addAndGet(3);
                Thread.sleep(200);
            }
        } catch (SQLException e) {
            if (running.get()) {
                System.err.println("demo write load stopped: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
