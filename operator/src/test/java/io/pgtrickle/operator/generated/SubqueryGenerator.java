package io.pgtrickle.operator.generated;

import io.pgtrickle.operator.generated.ExprGenerator.Bound;
import io.pgtrickle.operator.generated.ExprGenerator.TExpr;
import io.pgtrickle.operator.generated.GenSchema.Col;
import io.pgtrickle.operator.generated.GenSchema.Rel;
import io.pgtrickle.operator.generated.GenSchema.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Sub-queries for the {@link QueryGenerator}: {@code EXISTS} / {@code NOT EXISTS} / {@code IN} /
 * {@code NOT IN} predicates (correlated and not, nested, over aggregates), scalar sub-queries in
 * WHERE and in the select list, {@code EXISTS} as a value, and LATERAL sub-queries (with and
 * without aggregates). Inner aliases are {@code s<n>}, so any {@code t<n>.} inside one is a
 * correlation with the outer query.
 */
final class SubqueryGenerator {
    private final ExprGenerator ex;
    private final Supplier<Rel> relations;
    private final Supplier<String> aliases;

    SubqueryGenerator(ExprGenerator ex, Supplier<Rel> relations, Supplier<String> aliases) {
        this.ex = ex;
        this.relations = relations;
        this.aliases = aliases;
    }

    /** A correlation {@code s.c = outer.d} between a new alias of {@code r} and the outer scope, or null. */
    private String correlate(Bound inner, List<Bound> outer) {
        return ex.sameDomain(List.of(inner), outer);
    }

    /** A correlation for a LATERAL sub-query: not on a wide domain, whose fan-out would multiply the rows. */
    private String narrow(Bound inner, List<Bound> outer) {
        String c = ex.sameDomain(List.of(inner), outer, false);
        return c == null ? correlate(inner, outer) : c;
    }

    /** A relation with a column of the domain of some outer column (so the correlation finds partners). */
    private Bound correlatable(List<Bound> outer) {
        for (int i = 0; i < 8; i++) {
            Bound b = new Bound(aliases.get(), relations.get());
            if (correlate(b, outer) != null) {
                return b;
            }
        }
        return null;
    }

    /** A predicate with a sub-query over the outer scope; {@code depth} limits nesting. */
    String predicate(List<Bound> outer, int depth) {
        Bound s = correlatable(outer);
        if (s == null) {
            return ex.predicate(outer);
        }
        List<Bound> inner = List.of(s);
        String from = s.rel().name() + " " + s.alias();
        String corr = correlate(s, outer);
        List<String> where = new ArrayList<>();
        if (ex.chance(40)) {
            where.add(ex.predicate(inner));
        }
        if (depth > 0 && ex.chance(20)) {
            where.add(predicate(inner, depth - 1)); // EXISTS inside EXISTS
        }
        int kind = ex.rnd().nextInt(11) % 9; // EXISTS forms twice as likely as the scalar comparison
        if (kind <= 3) {
            List<String> conds = new ArrayList<>(where);
            if (kind != 3) {
                conds.add(0, corr); // 3: not correlated
            }
            String body = "SELECT 1 FROM " + from + (conds.isEmpty() ? "" : " WHERE " + String.join(" AND ", conds));
            return (kind == 1 ? "NOT " : "") + "EXISTS (" + body + ")";
        }
        String[] eq = corr.split(" = ");
        String innerCol = eq[0].startsWith(s.alias() + ".") ? eq[0] : eq[1];
        String outerCol = innerCol.equals(eq[0]) ? eq[1] : eq[0];
        String w = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
        return switch (kind) {
            case 4 -> outerCol + " IN (SELECT " + innerCol + " FROM " + from + w + ")";
            case 5 -> outerCol + " NOT IN (SELECT " + innerCol + " FROM " + from + w + ")";
            case 6 -> {
                String extra = ex.sameDomain(inner, outer);
                yield outerCol + " IN (SELECT " + innerCol + " FROM " + from + " WHERE " + extra.replace(" = ", " <> ")
                        + (where.isEmpty() ? "" : " AND " + String.join(" AND ", where)) + ")";
            }
            case 7 -> outerCol + " IN (SELECT " + innerCol + " FROM " + from + w + " GROUP BY " + innerCol
                    + " HAVING count(*) > 1)";
            default -> {
                TExpr agg = ex.aggregate(inner, false);
                while (agg.type() != Type.INT && agg.type() != Type.NUM) {
                    agg = ex.aggregate(inner, false);
                }
                TExpr cmp = ex.expr(outer, Type.NUM);
                List<String> conds = new ArrayList<>(where);
                if (ex.chance(70)) {
                    conds.add(0, corr);
                }
                yield cmp.sql() + " > (SELECT " + agg.sql() + " FROM " + from
                        + (conds.isEmpty() ? "" : " WHERE " + String.join(" AND ", conds)) + ")";
            }
        };
    }

    /** A select-list value computed by a sub-query (scalar or EXISTS), or null when none fits. */
    TExpr value(List<Bound> outer) {
        Bound s = correlatable(outer);
        if (s == null) {
            return null;
        }
        String from = s.rel().name() + " " + s.alias();
        String corr = correlate(s, outer);
        List<Bound> inner = List.of(s);
        return switch (ex.rnd().nextInt(4)) {
            case 0 -> new TExpr("(SELECT count(*) FROM " + from + " WHERE " + corr + ")", Type.INT, null, null);
            case 1 -> new TExpr("EXISTS (SELECT 1 FROM " + from + " WHERE " + corr + ")", Type.BOOL, null, null);
            case 2 -> {
                TExpr agg = ex.aggregate(inner, false);
                yield new TExpr("(SELECT " + agg.sql() + " FROM " + from + " WHERE " + corr + ")", agg.type(), null,
                        null);
            }
            default -> {
                // at most one row: the inner relation's whole (single-column) key equals an outer column
                Rel r = s.rel();
                if (r.key().size() == 1 && r.col(r.key().get(0)).domain() != null) {
                    Col k = r.col(r.key().get(0));
                    String outerCol = outerOf(outer, k.domain());
                    if (outerCol != null) {
                        TExpr v = ex.comparable(inner);
                        yield new TExpr("(SELECT " + v.sql() + " FROM " + from + " WHERE " + s.alias() + "." + k.name()
                                + " = " + outerCol + ")", v.type(), null, null);
                    }
                }
                TExpr m = ex.comparable(inner);
                yield new TExpr("(SELECT max(" + m.sql() + ") FROM " + from + " WHERE " + corr + ")", m.type(), null,
                        null);
            }
        };
    }

    private String outerOf(List<Bound> outer, String domain) {
        for (Bound b : outer) {
            for (Col c : b.rel().cols()) {
                if (domain.equals(c.domain())) {
                    return b.alias() + "." + c.name();
                }
            }
        }
        return null;
    }

    /** A LATERAL join over the outer scope, and the relation it adds (bound to its alias). */
    record Lateral(GenQuery.Join join, Bound bound) {
    }

    Lateral lateral(List<Bound> outer, String alias) {
        Bound s = correlatable(outer);
        TExpr j = ex.column(outer, Type.JSONB);
        if (s == null || (j != null && ex.chance(15))) {
            String src = j == null ? "'[\"a\", \"b\"]'::jsonb" : "CASE WHEN jsonb_typeof(" + j.sql() + " -> 't') = 'array'"
                    + " THEN " + j.sql() + " -> 't' ELSE '[]' END";
            Rel r = new Rel("jsonb_array_elements_text", List.of(new Col("tag", Type.TEXT, null, true,
                    List.of("'a'", "'x1'"))), List.of());
            return new Lateral(new GenQuery.Join("CROSS JOIN LATERAL", "jsonb_array_elements_text(" + src + ") AS "
                    + alias + "(tag)", List.of()), new Bound(alias, r));
        }
        String from = s.rel().name() + " " + s.alias();
        String corr = narrow(s, outer);
        List<Bound> inner = List.of(s);
        List<Col> cols = new ArrayList<>();
        String body;
        String kind = ex.chance(50) ? "LEFT JOIN LATERAL" : "JOIN LATERAL";
        switch (ex.rnd().nextInt(3)) {
            case 0 -> { // one row per outer row: a global aggregate
                TExpr a = ex.aggregate(inner, false);
                cols.add(new Col("n", Type.INT, null, false, GenSchema.SMALL));
                cols.add(new Col("v", a.type(), null, true, a.samples()));
                body = "SELECT count(*) AS n, " + a.sql() + " AS v FROM " + from + " WHERE " + corr;
            }
            case 1 -> { // grouped
                TExpr g = ex.comparable(inner);
                cols.add(new Col("g", g.type(), g.domain(), true, g.samples()));
                cols.add(new Col("n", Type.INT, null, false, GenSchema.SMALL));
                body = "SELECT " + g.sql() + " AS g, count(*) AS n FROM " + from + " WHERE " + corr + " GROUP BY "
                        + g.sql();
            }
            default -> { // top rows by key (only a keyed relation orders deterministically)
                TExpr v = ex.comparable(inner);
                cols.add(new Col("v", v.type(), v.domain(), true, v.samples()));
                String order = s.rel().keyed()
                        ? " ORDER BY " + String.join(", ", s.rel().key().stream().map(k -> s.alias() + "." + k).toList())
                        + " LIMIT 2" : "";
                body = "SELECT " + v.sql() + " AS v FROM " + from + " WHERE " + corr
                        + (ex.chance(40) ? " AND " + ex.predicate(inner) : "") + order;
            }
        }
        Rel r = new Rel("lateral", cols, List.of());
        return new Lateral(new GenQuery.Join(kind, "(" + body + ") " + alias, List.of("true")), new Bound(alias, r));
    }
}
