package io.pgtrickle.operator.generated;

import io.pgtrickle.operator.generated.GenSchema.Col;
import io.pgtrickle.operator.generated.GenSchema.Rel;
import io.pgtrickle.operator.generated.GenSchema.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Typed scalar expressions, NULL-sensitive predicates and aggregate calls over a scope of aliased
 * relations, for the {@link QueryGenerator}. Every expression is valid PostgreSQL for the
 * {@link GenSchema} types and deterministic (no volatile functions; ordered aggregates order by
 * the aggregated value, so ties print the same).
 */
final class ExprGenerator {
    /** A relation under an alias in a FROM clause; {@code padded}: an outer join may NULL its columns. */
    record Bound(String alias, Rel rel, boolean padded) {
        Bound(String alias, Rel rel) {
            this(alias, rel, false);
        }

        Bound asPadded() {
            return new Bound(alias, rel, true);
        }
    }

    /** Whether {@code sql} (a column of the scope, or an expression) can be NULL. */
    static boolean nullable(List<Bound> scope, String sql) {
        for (Bound b : scope) {
            for (Col c : b.rel().cols()) {
                if (sql.equals(b.alias() + "." + c.name())) {
                    return b.padded() || c.nullable();
                }
            }
        }
        return true;
    }

    /** An expression with what the generator knows of it. */
    record TExpr(String sql, Type type, String domain, List<String> samples) {
    }

    private final Random rnd;

    ExprGenerator(Random rnd) {
        this.rnd = rnd;
    }

    Random rnd() {
        return rnd;
    }

    <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    boolean chance(int percent) {
        return rnd.nextInt(100) < percent;
    }

    /** A column of the scope, of {@code type} when one exists (null type: any but ARRAY). */
    TExpr column(List<Bound> scope, Type type) {
        List<TExpr> all = new ArrayList<>();
        for (Bound b : scope) {
            for (Col c : b.rel().cols()) {
                if ((type == null ? c.type() != Type.ARRAY : c.type() == type)) {
                    all.add(new TExpr(b.alias() + "." + c.name(), c.type(), c.domain(), c.samples()));
                }
            }
        }
        return all.isEmpty() ? null : pick(all);
    }

    /** Any scope column of a type usable in comparisons, min() and max() (not jsonb, bool or arrays). */
    TExpr comparable(List<Bound> scope) {
        List<TExpr> all = new ArrayList<>();
        for (Bound b : scope) {
            for (Col c : b.rel().cols()) {
                if (c.type() != Type.JSONB && c.type() != Type.BOOL && c.type() != Type.ARRAY) {
                    all.add(new TExpr(b.alias() + "." + c.name(), c.type(), c.domain(), c.samples()));
                }
            }
        }
        return all.isEmpty() ? new TExpr("1", Type.INT, null, GenSchema.SMALL) : pick(all);
    }

    String literal(TExpr e) {
        if (e.samples() != null && !e.samples().isEmpty()) {
            return pick(e.samples());
        }
        return switch (e.type()) {
            case INT -> String.valueOf(rnd.nextInt(5));
            case NUM -> pick(GenSchema.MONEY);
            case TEXT -> pick(List.of("'a'", "'r1'", "'open'", "''"));
            case BOOL -> pick(GenSchema.BOOLS);
            case TS -> pick(GenSchema.WHEN);
            case JSONB -> "'{}'";
            case ARRAY -> "NULL";
        };
    }

    /** A scalar expression of {@code type} over the scope (falls back to a literal when no column fits). */
    TExpr expr(List<Bound> scope, Type type) {
        TExpr c = column(scope, type);
        if (c == null) {
            return switch (type) {
                case INT -> new TExpr("length(" + column(scope, null).sql() + "::text)", Type.INT, null, null);
                case NUM -> new TExpr("(" + expr(scope, Type.INT).sql() + ")::numeric / 4", Type.NUM, null, null);
                case TEXT -> new TExpr(column(scope, null).sql() + "::text", Type.TEXT, null, null);
                case BOOL -> new TExpr(predicate(scope), Type.BOOL, null, null);
                case TS -> new TExpr("timestamptz '2026-01-02' + (" + expr(scope, Type.INT).sql() + ") * interval '1 day'",
                        Type.TS, null, null);
                case JSONB -> new TExpr("jsonb_build_object('v', " + column(scope, null).sql() + ")", Type.JSONB,
                        null, null);
                case ARRAY -> throw new IllegalArgumentException("no array expressions");
            };
        }
        if (chance(45)) {
            return c;
        }
        String x = c.sql();
        return switch (type) {
            case INT -> pick(List.of(
                    new TExpr(x + " + " + rnd.nextInt(3), Type.INT, null, null),
                    new TExpr(x + " % 3", Type.INT, null, null),
                    new TExpr("coalesce(" + x + ", -1)", Type.INT, c.domain(), c.samples()),
                    new TExpr("abs(" + x + " - 2)", Type.INT, null, null),
                    new TExpr("CASE WHEN " + predicate(scope) + " THEN " + x + " ELSE 0 END", Type.INT, null, null)));
            case NUM -> pick(List.of(
                    new TExpr(x + " * 2", Type.NUM, null, null),
                    new TExpr("round(" + x + ", 0)", Type.NUM, null, null),
                    new TExpr("coalesce(" + x + ", 0)", Type.NUM, null, c.samples()),
                    new TExpr("CASE WHEN " + x + " IS NULL THEN -1 ELSE " + x + " + 1 END", Type.NUM, null, null)));
            case TEXT -> pick(List.of(
                    new TExpr("upper(" + x + ")", Type.TEXT, null, null),
                    new TExpr("coalesce(" + x + ", 'none')", Type.TEXT, c.domain(), c.samples()),
                    new TExpr(x + " || '-x'", Type.TEXT, null, null),
                    new TExpr("substr(" + x + ", 1, 2)", Type.TEXT, null, null),
                    new TExpr("CASE WHEN " + predicate(scope) + " THEN 'y' WHEN " + x + " IS NULL THEN NULL ELSE 'n'"
                            + " END", Type.TEXT, null, null)));
            case BOOL -> new TExpr(pick(List.of(x + " IS NOT TRUE", "coalesce(" + x + ", false)", "NOT " + x)),
                    Type.BOOL, null, null);
            case TS -> pick(List.of(
                    new TExpr("date_trunc('day', " + x + ")", Type.TS, null, null),
                    new TExpr(x + " + interval '2 hours'", Type.TS, null, null)));
            case JSONB -> pick(List.of(
                    new TExpr(x + " -> 'tags'", Type.JSONB, null, null),
                    new TExpr(x + " || '{\"k\": 1}'", Type.JSONB, null, null),
                    new TExpr("jsonb_build_object('v', " + comparable(scope).sql() + ")", Type.JSONB, null, null)));
            case ARRAY -> throw new IllegalArgumentException("no array expressions");
        };
    }

    /** A scalar expression of a random type; jsonb accessors included. */
    TExpr anyExpr(List<Bound> scope) {
        TExpr j = column(scope, Type.JSONB);
        if (j != null && chance(20)) {
            String x = j.sql();
            return pick(List.of(
                    new TExpr(x + " ->> 'city'", Type.TEXT, null, List.of("'x0'", "'x1'")),
                    new TExpr("(" + x + " ->> 'score')::int", Type.INT, null, GenSchema.SMALL),
                    new TExpr(x + " -> 't'", Type.JSONB, null, null),
                    new TExpr("(" + x + " ->> 'prio')::int", Type.INT, null, GenSchema.SMALL),
                    new TExpr(x + " #>> '{t,0}'", Type.TEXT, null, List.of("'a'"))));
        }
        Type t = pick(List.of(Type.INT, Type.INT, Type.NUM, Type.TEXT, Type.TEXT, Type.BOOL, Type.TS, Type.JSONB));
        return expr(scope, t);
    }

    /** One NULL-sensitive predicate over the scope (no sub-queries). */
    String predicate(List<Bound> scope) {
        TExpr j = column(scope, Type.JSONB);
        if (j != null && chance(15)) {
            String x = j.sql();
            return pick(List.of(x + " @> '{\"vip\": true}'", x + " ? 'city'", x + " ?| array['t', 'score']",
                    x + " ->> 'city' = 'x1'", "(" + x + " ->> 'score')::int > 2", x + " @> '{\"prio\": 1}'",
                    x + " ?& array['t', 'prio']", "NOT coalesce(" + x + " ? 'tags', false)"));
        }
        TExpr b = column(scope, Type.BOOL);
        if (b != null && chance(12)) {
            return pick(List.of(b.sql(), b.sql() + " IS NOT TRUE", b.sql() + " IS UNKNOWN", "NOT " + b.sql(),
                    b.sql() + " IS DISTINCT FROM true"));
        }
        TExpr c = comparable(scope);
        String x = c.sql();
        String lit = literal(c);
        int kind = rnd.nextInt(14);
        if (kind <= 1 && !nullable(scope, x) && !chance(10)) {
            kind = 2 + rnd.nextInt(12); // IS [NOT] NULL of a column that cannot be NULL decides nothing
        }
        return switch (kind) {
            case 0 -> x + " IS NULL";
            case 1 -> x + " IS NOT NULL";
            case 2 -> x + " IS DISTINCT FROM " + lit;
            case 3 -> x + " IS NOT DISTINCT FROM " + lit;
            case 4 -> x + " <> " + lit;
            case 5 -> x + " = " + lit;
            case 6 -> c.type() == Type.TEXT && lit.length() > 2 ? x + " LIKE '" + lit.charAt(1) + "%'" : x + " > " + lit;
            case 7 -> between(c);
            case 8 -> x + " IN (" + lit + ", " + literal(c) + (chance(30) ? ", NULL" : "") + ")";
            case 9 -> x + " NOT IN (" + lit + (chance(5) ? ", NULL" : "") + ")";
            case 10 -> "coalesce(" + x + ", " + lit + ") <> " + literal(c);
            case 11 -> "CASE WHEN " + x + " IS NULL THEN " + pick(GenSchema.BOOLS) + " ELSE " + x + " >= " + lit + " END";
            case 12 -> "(" + x + " < " + lit + " OR " + predicate(scope) + ")";
            default -> "NOT (" + x + " = " + lit + ")";
        };
    }

    /** {@code x BETWEEN lo AND hi} with two sample values in their listed (ascending) order. */
    private String between(TExpr c) {
        List<String> samples = c.samples() == null || c.samples().isEmpty() ? List.of(literal(c)) : c.samples();
        int i = rnd.nextInt(samples.size());
        int j = rnd.nextInt(samples.size());
        return c.sql() + " BETWEEN " + samples.get(Math.min(i, j)) + " AND " + samples.get(Math.max(i, j));
    }

    /** Domains with few distinct values: fine for a correlation, too wide for an equi-join alone. */
    static final List<String> WIDE = List.of("sku", "status");

    /** {@code l.x = r.y} for two columns of one domain, or null when none (joins: not a {@link #WIDE} one). */
    String sameDomain(List<Bound> left, List<Bound> right) {
        return sameDomain(left, right, true);
    }

    String sameDomain(List<Bound> left, List<Bound> right, boolean wideToo) {
        List<String> pairs = new ArrayList<>();
        for (Bound l : left) {
            for (Col lc : l.rel().cols()) {
                for (Bound r : right) {
                    for (Col rc : r.rel().cols()) {
                        if (lc.domain() != null && lc.domain().equals(rc.domain())
                                && (wideToo || !WIDE.contains(lc.domain()))) {
                            pairs.add(l.alias() + "." + lc.name() + " = " + r.alias() + "." + rc.name());
                        }
                    }
                }
            }
        }
        return pairs.isEmpty() ? null : pick(pairs);
    }

    /** An aggregate call over the scope, with its result type. */
    TExpr aggregate(List<Bound> scope, boolean orderedSetToo) {
        TExpr num = column(scope, Type.NUM);
        TExpr n = num != null && chance(60) ? num : expr(scope, Type.INT);
        TExpr any = comparable(scope);
        String filter = chance(12) ? " FILTER (WHERE " + predicate(scope) + ")" : "";
        int k = rnd.nextInt(orderedSetToo ? 15 : 14);
        return switch (k) {
            case 0, 1 -> new TExpr("count(*)" + filter, Type.INT, null, GenSchema.SMALL);
            case 2 -> new TExpr("count(" + any.sql() + ")" + filter, Type.INT, null, GenSchema.SMALL);
            case 3 -> new TExpr("count(DISTINCT " + any.sql() + ")", Type.INT, null, GenSchema.SMALL);
            case 4, 5 -> new TExpr("sum(" + n.sql() + ")" + filter, Type.NUM, null, GenSchema.MONEY);
            case 6 -> new TExpr("avg(" + n.sql() + ")", Type.NUM, null, GenSchema.MONEY);
            case 7 -> new TExpr("min(" + any.sql() + ")", any.type(), null, any.samples());
            case 8 -> new TExpr("max(" + any.sql() + ")" + filter, any.type(), null, any.samples());
            case 9 -> new TExpr("bool_and(" + predicate(scope) + ")", Type.BOOL, null, null);
            case 10 -> new TExpr("bool_or(" + predicate(scope) + ")", Type.BOOL, null, null);
            case 11 -> {
                TExpr t = expr(scope, Type.TEXT);
                yield new TExpr("string_agg(" + t.sql() + ", ',' ORDER BY " + t.sql() + ")", Type.TEXT, null, null);
            }
            case 12 -> new TExpr("array_agg(" + any.sql() + " ORDER BY " + any.sql() + ")", Type.ARRAY, null, null);
            case 13 -> new TExpr("max(" + n.sql() + ") - min(" + n.sql() + ")", Type.NUM, null, null);
            default -> new TExpr("percentile_cont(0.5) WITHIN GROUP (ORDER BY " + n.sql() + ")", Type.NUM, null, null);
        };
    }

    /** A HAVING condition. */
    String having(List<Bound> scope) {
        TExpr a = aggregate(scope, false);
        return switch (rnd.nextInt(5)) {
            case 0 -> "count(*) > " + (1 + rnd.nextInt(2));
            case 1 -> a.sql() + " IS NOT NULL";
            case 2 -> a.type() == Type.INT || a.type() == Type.NUM ? a.sql() + " > " + literal(a) : "count(*) <> 2";
            case 3 -> "bool_or(" + predicate(scope) + ")";
            default -> {
                String x = comparable(scope).sql();
                yield "min(" + x + ") IS DISTINCT FROM max(" + x + ")";
            }
        };
    }
}
