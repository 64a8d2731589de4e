package io.pgtrickle.operator.generated;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A generated query as the parts the grammar added (CTEs, select items, joins, WHERE and HAVING
 * conjuncts, GROUP BY keys, a set operation, a trailing ORDER BY/LIMIT), so that a failing case can
 * be shrunk by dropping parts: {@link #simplifications()} lists every query one step simpler.
 * Nested sub-queries are text inside a part and are kept or dropped whole.
 */
public record GenQuery(List<Cte> ctes, Select body) {

    /** {@code name AS (sql)}. */
    public record Cte(String name, String sql) {
    }

    /** {@code expr AS alias}. */
    public record Item(String expr, String alias) {
        String sql() {
            return expr + " AS " + alias;
        }
    }

    /** {@code <kind> <relation> [ON <conjuncts>]}; kind is e.g. {@code JOIN}, {@code LEFT JOIN LATERAL}. */
    public record Join(String kind, String rel, List<String> on) {
        String sql() {
            return " " + kind + " " + rel + (on.isEmpty() ? "" : " ON " + String.join(" AND ", on));
        }
    }

    /** {@code UNION ALL} / {@code UNION} / {@code EXCEPT} / {@code INTERSECT} and its right branch. */
    public record SetOp(String op, Select right) {
    }

    /** One SELECT with its optional parts. */
    public record Select(boolean distinct, String distinctOn, List<Item> items, String from, List<Join> joins,
                         List<String> where, List<String> groupBy, List<String> having, SetOp setOp, String tail) {
        String sql() {
            StringBuilder b = new StringBuilder("SELECT ");
            if (distinctOn != null) {
                b.append("DISTINCT ON (").append(distinctOn).append(") ");
            } else if (distinct) {
                b.append("DISTINCT ");
            }
            b.append(items.stream().map(Item::sql).collect(Collectors.joining(", ")));
            b.append(" FROM ").append(from);
            joins.forEach(j -> b.append(j.sql()));
            if (!where.isEmpty()) {
                b.append(" WHERE ").append(String.join(" AND ", where));
            }
            if (!groupBy.isEmpty()) {
                b.append(" GROUP BY ").append(String.join(", ", groupBy));
            }
            if (!having.isEmpty()) {
                b.append(" HAVING ").append(String.join(" AND ", having));
            }
            if (setOp != null) {
                b.append(" ").append(setOp.op()).append(" ").append(setOp.right().sql());
            }
            if (tail != null) {
                b.append(" ").append(tail);
            }
            return b.toString();
        }

        List<String> aliases() {
            return items.stream().map(Item::alias).toList();
        }

        Select withItems(List<Item> v) {
            return new Select(distinct, distinctOn, v, from, joins, where, groupBy, having, setOp, tail);
        }

        Select withJoins(List<Join> v) {
            return new Select(distinct, distinctOn, items, from, v, where, groupBy, having, setOp, tail);
        }

        Select withWhere(List<String> v) {
            return new Select(distinct, distinctOn, items, from, joins, v, groupBy, having, setOp, tail);
        }

        Select withGroupBy(List<String> v) {
            return new Select(distinct, distinctOn, items, from, joins, where, v, having, setOp, tail);
        }

        Select withHaving(List<String> v) {
            return new Select(distinct, distinctOn, items, from, joins, where, groupBy, v, setOp, tail);
        }

        Select withSetOp(SetOp v) {
            return new Select(distinct, distinctOn, items, from, joins, where, groupBy, having, v, tail);
        }

        Select withTail(String v) {
            return new Select(distinct, distinctOn, items, from, joins, where, groupBy, having, setOp, v);
        }

        Select withoutDistinct() {
            return new Select(false, null, items, from, joins, where, groupBy, having, setOp, tail);
        }

        /** Every select one part smaller (items only when {@code itemsToo}: a set operation drops them in pairs). */
        List<Select> smaller(boolean itemsToo) {
            List<Select> out = new ArrayList<>();
            if (setOp != null) {
                out.add(withSetOp(null));
                for (Select r : setOp.right().smaller(false)) {
                    out.add(withSetOp(new SetOp(setOp.op(), r)));
                }
                if (!setOp.op().equals("UNION ALL")) {
                    out.add(withSetOp(new SetOp("UNION ALL", setOp.right())));
                }
            }
            if (tail != null) {
                out.add(withTail(null));
            }
            if (distinct || distinctOn != null) {
                out.add(withoutDistinct());
            }
            for (int i = 0; i < joins.size(); i++) {
                out.add(withJoins(without(joins, i)));
                Join j = joins.get(i);
                for (int k = 0; j.on().size() > 1 && k < j.on().size(); k++) {
                    out.add(withJoins(replaced(joins, i, new Join(j.kind(), j.rel(), without(j.on(), k)))));
                }
                if (!j.kind().equals("JOIN") && !j.kind().contains("LATERAL") && !j.on().isEmpty()) {
                    out.add(withJoins(replaced(joins, i, new Join("JOIN", j.rel(), j.on()))));
                }
            }
            for (int i = 0; i < where.size(); i++) {
                out.add(withWhere(without(where, i)));
            }
            for (int i = 0; i < having.size(); i++) {
                out.add(withHaving(without(having, i)));
            }
            for (int i = 0; i < groupBy.size(); i++) {
                out.add(withGroupBy(without(groupBy, i)));
            }
            for (int i = 0; itemsToo && items.size() > 1 && i < items.size(); i++) {
                out.add(withItems(without(items, i)));
            }
            return out;
        }
    }

    public String sql() {
        String body = this.body.sql();
        if (ctes.isEmpty()) {
            return body;
        }
        return "WITH " + ctes.stream().map(c -> c.name() + " AS (" + c.sql() + ")").collect(Collectors.joining(", "))
                + " " + body;
    }

    /** The output column names, in order. */
    public List<String> columns() {
        return body.aliases();
    }

    /**
     * Every query one step simpler than this one: a CTE, set operation, DISTINCT, ORDER BY/LIMIT,
     * join, ON/WHERE/HAVING conjunct, GROUP BY key or select item (in both branches of a set
     * operation) removed, or an outer join made inner. Some are invalid (a dropped join whose
     * columns are still used): the shrinker asks PostgreSQL.
     */
    public List<GenQuery> simplifications() {
        List<GenQuery> out = new ArrayList<>();
        for (int i = 0; i < ctes.size(); i++) {
            out.add(new GenQuery(without(ctes, i), body));
        }
        body.smaller(body.setOp() == null).forEach(s -> out.add(new GenQuery(ctes, s)));
        if (body.setOp() != null && body.items().size() > 1) {
            for (int i = 0; i < body.items().size(); i++) {
                int k = i;
                UnaryOperator<Select> drop = s -> s.withItems(without(s.items(), k));
                Select right = drop.apply(body.setOp().right());
                out.add(new GenQuery(ctes, drop.apply(body).withSetOp(new SetOp(body.setOp().op(), right))));
            }
        }
        return out;
    }

    static <T> List<T> without(List<T> list, int i) {
        List<T> copy = new ArrayList<>(list);
        copy.remove(i);
        return List.copyOf(copy);
    }

    static <T> List<T> replaced(List<T> list, int i, T v) {
        List<T> copy = new ArrayList<>(list);
        copy.set(i, v);
        return List.copyOf(copy);
    }

    @Override
    public String toString() {
        return sql();
    }
}
