package io.pgtrickle.operator.generated;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random DML batches over {@link GenSchema}: inserts (duplicate rows and NULLs included),
 * updates (values, group moves, primary-key and composite-key changes, no-op updates), deletes,
 * several tables per transaction, a transaction rolled back, and the write patterns that stress a
 * differential refresh: a row updated several times then deleted within one batch, a primary key
 * taken over by another row just after it was freed, two keys swapped, a row inserted and deleted
 * again, a table truncated and refilled, a transaction that started before the others committing
 * after the refresh. Statements are plain text whose effect depends only on the
 * database state, so a batch replays identically on a fresh database.
 */
public final class DmlGenerator {
    /**
     * A batch: transactions committed one after the other (one ending in {@code ROLLBACK} is rolled
     * back). A transaction starting with {@link #HELD} is opened (and given its transaction id) before
     * the others, but writes and commits only at the start of the next batch: after the refresh that
     * saw the younger transactions.
     */
    public record Batch(List<List<String>> transactions) {
    }

    /** First statement of a transaction held open across the refresh (a comment, harmless to run). */
    public static final String HELD = "-- opened first, written and committed after the refresh";

    private final Random rnd;
    private int batch;

    public DmlGenerator(long seed) {
        this.rnd = new Random(seed);
    }

    private <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    private boolean chance(int p) {
        return rnd.nextInt(100) < p;
    }

    private String orNull(int nullPercent, String v) {
        return chance(nullPercent) ? "NULL" : v;
    }

    private int cust() {
        return 1 + rnd.nextInt(48);
    }

    private int order() {
        return 1 + rnd.nextInt(210);
    }

    private String money() {
        return rnd.nextInt(10000) / 100.0 + "";
    }

    private String status() {
        return pick(List.of("'open'", "'paid'", "'void'", "'new'"));
    }

    private String profile() {
        return pick(List.of("NULL", "'{}'", "'{\"vip\": true, \"city\": \"x1\", \"score\": 4}'",
                "'{\"score\": " + rnd.nextInt(6) + ", \"tags\": [\"a\"]}'", "'{\"city\": \"x0\"}'"));
    }

    private String tags() {
        return pick(List.of("NULL", "'{\"prio\": 1}'", "'{\"t\": [\"a\", \"x1\"], \"prio\": 2}'", "'{\"t\": []}'"));
    }

    /** The next batch: 1–5 transactions of 1–6 operations, now and then a write pattern. */
    public Batch next() {
        batch++;
        List<List<String>> txs = new ArrayList<>();
        for (int t = 1 + rnd.nextInt(5); t > 0; t--) {
            List<String> tx = new ArrayList<>();
            for (int i = 1 + rnd.nextInt(6); i > 0; i--) {
                tx.addAll(operation());
            }
            if (chance(5)) {
                tx.add("ROLLBACK");
            }
            txs.add(tx);
        }
        if (chance(40)) {
            List<List<String>> p = pattern();
            for (List<String> tx : p) {
                txs.add(rnd.nextInt(txs.size() + 1), tx);
            }
        }
        if (chance(12)) {
            List<String> held = new ArrayList<>(List.of(HELD));
            for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
                held.addAll(operation());
            }
            txs.add(held);
        }
        return new Batch(txs.stream().map(List::copyOf).toList());
    }

    /** One random operation (one or more statements of one table). */
    private List<String> operation() {
        int c = cust();
        int o = order();
        return switch (rnd.nextInt(22)) {
            case 0 -> List.of("INSERT INTO customers VALUES (" + c + ", 'n" + batch + "', " + orNull(25, pick(GenSchema.REGION))
                    + ", " + orNull(20, rnd.nextInt(4) + "") + ", " + orNull(30, pick(GenSchema.BOOLS)) + ", " + profile()
                    + ") ON CONFLICT (id) DO NOTHING");
            case 1 -> List.of("UPDATE customers SET region = " + orNull(30, pick(GenSchema.REGION)) + " WHERE id = " + c);
            case 2 -> List.of("UPDATE customers SET tier = " + orNull(20, rnd.nextInt(4) + "") + ", vip = "
                    + orNull(30, pick(GenSchema.BOOLS)) + ", profile = " + profile() + " WHERE id % 9 = " + c % 9);
            case 3 -> List.of("DELETE FROM customers WHERE id = " + c);
            case 4 -> List.of("UPDATE customers SET id = " + (c + 50) + " WHERE id = " + c
                    + " AND NOT EXISTS (SELECT 1 FROM customers WHERE id = " + (c + 50) + ")");
            case 5, 6 -> List.of("INSERT INTO orders VALUES (" + (chance(30) ? o : 1000 * batch + rnd.nextInt(1000)) + ", "
                    + orNull(20, c + "") + ", " + orNull(20, money()) + ", " + status() + ", " + rnd.nextInt(5)
                    + ", timestamptz '2026-01-02' + interval '" + rnd.nextInt(900) + " hours', " + tags()
                    + ") ON CONFLICT (id) DO NOTHING");
            case 7 -> List.of("UPDATE orders SET amount = " + orNull(25, money()) + ", status = " + status()
                    + " WHERE id % 17 = " + o % 17);
            case 8 -> List.of("UPDATE orders SET customer_id = " + orNull(25, c + "") + " WHERE id = " + o);
            case 9 -> List.of("UPDATE orders SET qty = qty + 1, tags = " + tags() + " WHERE id = " + o);
            case 10 -> List.of("UPDATE orders SET id = id + 100000 WHERE id = " + o
                    + " AND NOT EXISTS (SELECT 1 FROM orders WHERE id = " + (o + 100000) + ")");
            case 11 -> List.of("DELETE FROM orders WHERE id = " + o);
            case 12 -> List.of("INSERT INTO items VALUES (" + o + ", 'sku" + (1 + rnd.nextInt(4)) + "', " + rnd.nextInt(4)
                    + ", " + orNull(25, money()) + ") ON CONFLICT DO NOTHING");
            case 13 -> List.of("UPDATE items SET n = n + 1, price = " + orNull(30, money()) + " WHERE order_id = " + o);
            case 14 -> List.of("UPDATE items i SET order_id = " + order() + " WHERE order_id = " + o + " AND NOT EXISTS"
                    + " (SELECT 1 FROM items x WHERE x.order_id = " + order() + " AND x.sku = i.sku)");
            case 15 -> List.of("DELETE FROM items WHERE order_id = " + o + (chance(50) ? " AND sku = 'sku1'" : ""));
            case 16 -> {
                String row = "(" + orNull(20, status()) + ", " + orNull(15, rnd.nextInt(12) + "") + ", "
                        + orNull(30, pick(List.of("'n'", "''"))) + ", NULL)";
                yield List.of("INSERT INTO events VALUES " + row + (chance(60) ? ", " + row : ""));
            }
            case 17 -> List.of("INSERT INTO events SELECT * FROM events WHERE val = " + rnd.nextInt(12));
            case 18 -> List.of("DELETE FROM events WHERE ctid IN (SELECT ctid FROM events WHERE val IS NOT DISTINCT FROM "
                    + orNull(15, rnd.nextInt(12) + "") + " LIMIT " + (1 + rnd.nextInt(2)) + ")");
            case 19 -> List.of("UPDATE events SET val = " + orNull(20, rnd.nextInt(12) + "") + ", kind = "
                    + orNull(20, status()) + " WHERE ctid IN (SELECT ctid FROM events WHERE val = " + rnd.nextInt(12)
                    + " LIMIT 1)");
            case 20 -> List.of(pick(List.of(
                    "INSERT INTO regions VALUES ('r3', 'West', true) ON CONFLICT (code) DO UPDATE SET active"
                            + " = NOT coalesce(regions.active, false)",
                    "DELETE FROM regions WHERE code = " + pick(GenSchema.REGION),
                    "UPDATE regions SET label = " + orNull(40, "'L" + batch + "'") + " WHERE code = " + pick(GenSchema.REGION))));
            default -> List.of(pick(List.of(
                    "UPDATE orders SET status = status WHERE id % 7 = " + rnd.nextInt(7), // no-op updates
                    "UPDATE events SET note = NULL WHERE val = " + rnd.nextInt(12),
                    "UPDATE customers SET name = name || '.' WHERE id = " + c)));
        };
    }

    /** A write pattern, as one or more transactions of the batch. */
    private List<List<String>> pattern() {
        int o = order();
        int c = cust();
        return switch (rnd.nextInt(7)) {
            case 0 -> spread(List.of( // a row updated several times, then deleted
                    "UPDATE orders SET amount = coalesce(amount, 0) + 1 WHERE id = " + o,
                    "UPDATE orders SET status = " + status() + ", customer_id = " + orNull(30, c + "") + " WHERE id = " + o,
                    "UPDATE orders SET qty = qty + 2 WHERE id = " + o,
                    "DELETE FROM orders WHERE id = " + o));
            case 1 -> spread(List.of(
                    "UPDATE customers SET region = " + orNull(30, pick(GenSchema.REGION)) + " WHERE id = " + c,
                    "UPDATE customers SET tier = coalesce(tier, 0) + 1, profile = " + profile() + " WHERE id = " + c,
                    "DELETE FROM customers WHERE id = " + c));
            case 2 -> { // a key freed and taken by another row
                int o2 = order();
                yield spread(List.of("DELETE FROM orders WHERE id = " + o,
                        "UPDATE orders SET id = " + o + " WHERE id = " + o2
                                + " AND NOT EXISTS (SELECT 1 FROM orders WHERE id = " + o + ")"));
            }
            case 3 -> { // two keys swapped through a free one
                int c2 = cust();
                yield spread(List.of("UPDATE customers SET id = -" + c + " WHERE id = " + c
                                + " AND NOT EXISTS (SELECT 1 FROM customers WHERE id = -" + c + ")",
                        "UPDATE customers SET id = " + c + " WHERE id = " + c2 + " AND NOT EXISTS (SELECT 1 FROM customers"
                                + " WHERE id = " + c + ")",
                        "UPDATE customers SET id = " + c2 + " WHERE id = -" + c + " AND NOT EXISTS (SELECT 1 FROM customers"
                                + " WHERE id = " + c2 + ")"));
            }
            case 4 -> spread(List.of( // composite key freed and taken
                    "DELETE FROM items WHERE order_id = " + o + " AND sku = 'sku1'",
                    "UPDATE items SET sku = 'sku1' WHERE order_id = " + o + " AND sku = 'sku2'"));
            case 5 -> spread(List.of( // inserted then deleted again
                    "INSERT INTO events VALUES ('open', " + rnd.nextInt(12) + ", 'tmp', NULL)",
                    "INSERT INTO orders VALUES (" + (900000 + batch) + ", " + c + ", 1.00, 'open', 1, timestamptz"
                            + " '2026-01-05', NULL) ON CONFLICT DO NOTHING",
                    "DELETE FROM events WHERE note = 'tmp'",
                    "DELETE FROM orders WHERE id = " + (900000 + batch)));
            default -> { // truncated and refilled in one transaction
                String t = pick(List.of("orders", "customers", "items", "events", "regions"));
                List<String> tx = new ArrayList<>(List.of(
                        "CREATE TEMP TABLE keep_" + t + " ON COMMIT DROP AS SELECT * FROM " + t,
                        "TRUNCATE " + t,
                        "INSERT INTO " + t + " SELECT * FROM keep_" + t + (chance(50) ? "" : " OFFSET 3")));
                tx.addAll(operation());
                yield List.of(tx);
            }
        };
    }

    /** Statements in one transaction, or each in its own (both are one batch for the refresh). */
    private List<List<String>> spread(List<String> statements) {
        if (chance(50)) {
            return List.of(statements);
        }
        return statements.stream().map(List::of).toList();
    }

    /** {@code count} batches. */
    public List<Batch> batches(int count) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(next());
        }
        return out;
    }
}
