package io.pgtrickle.operator.generated;

import java.util.List;
import java.util.Map;

/**
 * The fixed schema every generated case runs on, described both as SQL (tables, seed rows, the
 * upstream stream tables) and as metadata the {@link QueryGenerator} composes queries from. It has
 * NULLs in join and group keys, exact duplicate rows in a table without a primary key
 * ({@code events}), a composite-key table ({@code items}), a text-keyed table ({@code regions}) and
 * numeric, text, bool, jsonb and timestamp columns. Columns carry a join domain: two columns of the
 * same domain hold comparable values, so joining them finds partners.
 */
public final class GenSchema {
    private GenSchema() {
    }

    /** The value kinds expressions are typed by (int and bigint are both {@link #INT}). */
    public enum Type { INT, NUM, TEXT, BOOL, JSONB, TS, ARRAY }

    /**
     * A column: its SQL name, type, join domain (null when it joins nothing) and nullability, with
     * literals of its value range for predicates.
     */
    public record Col(String name, Type type, String domain, boolean nullable, List<String> samples) {
    }

    /** A relation queries may read: a table, an upstream stream table, a CTE or a derived table. */
    public record Rel(String name, List<Col> cols, List<String> key) {
        public boolean keyed() {
            return !key.isEmpty();
        }

        public Col col(String n) {
            return cols.stream().filter(c -> c.name().equals(n)).findFirst().orElseThrow();
        }
    }

    static final List<String> CUST = List.of("1", "2", "3", "5", "8", "13", "21", "34", "41");
    static final List<String> ORDER = List.of("1", "7", "20", "33", "64", "99", "150", "199");
    static final List<String> REGION = List.of("'r0'", "'r1'", "'r2'", "'r3'");
    static final List<String> STATUS = List.of("'open'", "'paid'", "'void'", "'new'");
    static final List<String> SMALL = List.of("0", "1", "2", "3", "4");
    static final List<String> MONEY = List.of("0", "10.50", "25", "49.99", "75", "100");
    static final List<String> WHEN = List.of("timestamptz '2026-01-03'", "timestamptz '2026-01-10 12:00'",
            "timestamptz '2026-01-20'");
    static final List<String> BOOLS = List.of("true", "false");

    public static final Rel CUSTOMERS = new Rel("customers", List.of(
            new Col("id", Type.INT, "cust", false, CUST),
            new Col("name", Type.TEXT, null, false, List.of("'c1'", "'c12'", "'c7'")),
            new Col("region", Type.TEXT, "region", true, REGION),
            new Col("tier", Type.INT, null, true, SMALL),
            new Col("vip", Type.BOOL, null, true, BOOLS),
            new Col("profile", Type.JSONB, null, true, List.of("'{\"vip\": true}'", "'{}'"))), List.of("id"));
    public static final Rel ORDERS = new Rel("orders", List.of(
            new Col("id", Type.INT, "order", false, ORDER),
            new Col("customer_id", Type.INT, "cust", true, CUST),
            new Col("amount", Type.NUM, null, true, MONEY),
            new Col("status", Type.TEXT, "status", false, STATUS),
            new Col("qty", Type.INT, null, false, SMALL),
            new Col("created_at", Type.TS, null, false, WHEN),
            new Col("tags", Type.JSONB, null, true, List.of("'{\"prio\": 1}'", "'{\"t\": [\"a\"]}'"))), List.of("id"));
    public static final Rel ITEMS = new Rel("items", List.of(
            new Col("order_id", Type.INT, "order", false, ORDER),
            new Col("sku", Type.TEXT, "sku", false, List.of("'sku1'", "'sku2'", "'sku3'")),
            new Col("n", Type.INT, null, false, SMALL),
            new Col("price", Type.NUM, null, true, MONEY)), List.of("order_id", "sku"));
    public static final Rel EVENTS = new Rel("events", List.of(
            new Col("kind", Type.TEXT, "status", true, STATUS),
            new Col("val", Type.INT, "cust", true, CUST),
            new Col("note", Type.TEXT, null, true, List.of("''", "'n'", "'x'")),
            new Col("at", Type.TS, null, true, WHEN)), List.of());
    public static final Rel REGIONS = new Rel("regions", List.of(
            new Col("code", Type.TEXT, "region", false, REGION),
            new Col("label", Type.TEXT, null, true, List.of("'North'", "'South'")),
            new Col("active", Type.BOOL, null, true, BOOLS)), List.of("code"));

    public static final List<Rel> TABLES = List.of(CUSTOMERS, ORDERS, ITEMS, EVENTS, REGIONS);

    /** Upstream stream tables (schema {@code st}): every generated query may read them like tables. */
    public static final Rel UP_ORDERS = new Rel("st.up_orders", List.of(
            new Col("id", Type.INT, "order", false, ORDER),
            new Col("customer_id", Type.INT, "cust", true, CUST),
            new Col("amount", Type.NUM, null, true, MONEY),
            new Col("status", Type.TEXT, "status", false, STATUS)), List.of("id"));
    public static final Rel UP_TOTALS = new Rel("st.up_totals", List.of(
            new Col("customer_id", Type.INT, "cust", true, CUST),
            new Col("n", Type.INT, null, false, SMALL),
            new Col("total", Type.NUM, null, true, MONEY)), List.of("customer_id"));

    /** Upstream stream table name (within schema {@code st}) → its query. Both have unique rows. */
    public static final Map<String, String> UPSTREAM = Map.of(
            "up_orders", "SELECT id, customer_id, amount, status FROM orders WHERE status <> 'void'",
            "up_totals", "SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id");

    /**
     * Run before the install in every second generated group: keeps about one row in eight and no
     * NULL key, so that the NULL keys, duplicates and most rows arrive through refreshed batches.
     */
    public static final DmlGenerator.Batch SPARSE = new DmlGenerator.Batch(List.of(List.of(GenReplay.BEFORE_APPLY,
            "DELETE FROM orders WHERE id % 8 <> 0 OR customer_id IS NULL",
            "DELETE FROM customers WHERE id % 4 <> 0 OR region IS NULL OR tier IS NULL",
            "DELETE FROM items WHERE order_id % 8 <> 0",
            "DELETE FROM events WHERE val IS NULL OR kind IS NULL OR val % 3 <> 0")));

    /** Tables, seed rows and the schema {@code st} of the stream tables; deterministic (no random()). */
    public static final List<String> SQL = List.of("CREATE SCHEMA st", """
            CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, region text, tier int, vip bool,
                                    profile jsonb)""", """
            CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, amount numeric(10,2), status text NOT NULL,
                                 qty int NOT NULL, created_at timestamptz NOT NULL, tags jsonb)""", """
            CREATE TABLE items (order_id bigint, sku text, n int NOT NULL, price numeric(8,2),
                                PRIMARY KEY (order_id, sku))""", """
            CREATE TABLE events (kind text, val int, note text, at timestamp)""", """
            CREATE TABLE regions (code text PRIMARY KEY, label text, active bool)""", """
            INSERT INTO customers SELECT g, 'c' || g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'r' || (g % 3) END,
                   CASE WHEN g % 7 = 0 THEN NULL ELSE g % 4 END, CASE WHEN g % 3 = 0 THEN NULL ELSE g % 2 = 0 END,
                   CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN '{}'::jsonb
                        WHEN 2 THEN jsonb_build_object('vip', g % 3 = 0, 'city', 'x' || (g % 2), 'score', g % 6)
                        ELSE jsonb_build_object('score', g % 5, 'tags', jsonb_build_array('a', 'b')) END
            FROM generate_series(1, 40) g""", """
            INSERT INTO orders SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + g % 45 END,
                   CASE WHEN g % 13 = 0 THEN NULL ELSE ((g * 37) % 10000) / 100.0 END,
                   (ARRAY['open','paid','void'])[1 + g % 3], g % 5,
                   timestamptz '2026-01-01' + g * interval '7 hours',
                   CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN jsonb_build_object('prio', g % 4)
                        ELSE jsonb_build_object('t', jsonb_build_array('a', 'x' || (g % 3)), 'prio', 1) END
            FROM generate_series(1, 200) g""", """
            INSERT INTO items SELECT o, 'sku' || k, (o + k) % 4, CASE WHEN o % 9 = 0 THEN NULL ELSE o % 50 + k END
            FROM generate_series(1, 120) o, generate_series(1, 2) k""", """
            INSERT INTO events SELECT (ARRAY['open','paid','new',NULL])[1 + g % 4], CASE WHEN g % 9 = 0 THEN NULL
                   ELSE g % 12 END, (ARRAY['n', '', NULL])[1 + g % 3],
                   CASE WHEN g % 5 = 0 THEN NULL ELSE timestamp '2026-01-01' + g * interval '5 hours' END
            FROM generate_series(1, 80) g""", """
            INSERT INTO events SELECT * FROM events WHERE val < 3""", """
            INSERT INTO regions VALUES ('r0', 'North', true), ('r1', 'South', NULL), ('r2', NULL, false)""",
            "ANALYZE");
}
