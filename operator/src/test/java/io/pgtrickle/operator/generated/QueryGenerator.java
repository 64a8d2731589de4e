package io.pgtrickle.operator.generated;

import io.pgtrickle.operator.generated.ExprGenerator.Bound;
import io.pgtrickle.operator.generated.ExprGenerator.TExpr;
import io.pgtrickle.operator.generated.GenQuery.Cte;
import io.pgtrickle.operator.generated.GenQuery.Item;
import io.pgtrickle.operator.generated.GenQuery.Join;
import io.pgtrickle.operator.generated.GenQuery.Select;
import io.pgtrickle.operator.generated.GenQuery.SetOp;
import io.pgtrickle.operator.generated.GenSchema.Col;
import io.pgtrickle.operator.generated.GenSchema.Rel;
import io.pgtrickle.operator.generated.GenSchema.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded random generator of SELECT queries over {@link GenSchema}, composed from the constructs
 * the engine claims to maintain: projections with expressions; NULL-sensitive filters; inner, left,
 * right and full joins (equi, with extra non-equi or one-sided conditions, self joins); aggregates
 * with GROUP BY over nullable keys and HAVING; DISTINCT; UNION ALL (also of a branch with itself)
 * and UNION; EXISTS / NOT EXISTS / IN / NOT IN sub-queries, correlated or not; scalar sub-queries;
 * LATERAL sub-queries; CTEs and derived tables; jsonb operators; upstream stream tables. About one
 * query in twelve uses a construct only maintained in FULL (window functions, ORDER BY … LIMIT,
 * EXCEPT/INTERSECT, DISTINCT ON, ROLLUP). Every query is deterministic and names each output column
 * uniquely ({@code c1}, {@code c2}, …). The same seed yields the same queries.
 */
public final class QueryGenerator {
    private final Random rnd;
    private final ExprGenerator ex;
    private final SubqueryGenerator sub;
    private int aliases;
    private List<Rel> cteRels = new ArrayList<>();
    private List<Cte> cteDefs = new ArrayList<>();

    public QueryGenerator(long seed) {
        this.rnd = new Random(seed);
        this.ex = new ExprGenerator(rnd);
        this.sub = new SubqueryGenerator(ex, () -> relation(false), () -> "s" + (++aliases));
    }

    /** The next query. */
    public GenQuery next() {
        aliases = 0;
        cteRels = new ArrayList<>();
        cteDefs = new ArrayList<>();
        if (ex.chance(12)) {
            for (int i = 1 + rnd.nextInt(2); i > 0; i--) {
                String name = "w" + (cteDefs.size() + 1);
                Derived d = derived("x" + (cteDefs.size() + 1));
                cteDefs.add(new Cte(name, d.sql()));
                cteRels.add(new Rel(name, d.rel().cols(), d.rel().key()));
            }
        }
        int shape = rnd.nextInt(100);
        Select body;
        if (shape < 34) {
            body = plain(from(2, true), false);
        } else if (shape < 60) {
            body = aggregate(from(2, true));
        } else if (shape < 68) {
            body = plain(from(1, true), true);
        } else if (shape < 83) {
            body = setOperation(ex.chance(60) ? "UNION ALL" : "UNION");
        } else if (shape < 92) {
            body = plain(from(0, false), false);
        } else {
            body = fullOnly();
        }
        return new GenQuery(List.copyOf(cteDefs), body);
    }

    /** A relation to read: mostly a table, sometimes an upstream stream table or (when defined) a CTE. */
    private Rel relation(boolean top) {
        if (!cteRels.isEmpty() && ex.chance(top ? 80 : 25)) {
            return ex.pick(cteRels);
        }
        if (ex.chance(10)) {
            return ex.chance(60) ? GenSchema.UP_ORDERS : GenSchema.UP_TOTALS;
        }
        return ex.pick(List.of(GenSchema.ORDERS, GenSchema.ORDERS, GenSchema.CUSTOMERS, GenSchema.CUSTOMERS,
                GenSchema.ITEMS, GenSchema.EVENTS, GenSchema.EVENTS, GenSchema.REGIONS));
    }

    /** A sub-select usable as a CTE or derived table, and the relation it defines. */
    private record Derived(String sql, Rel rel) {
    }

    private Derived derived(String alias) {
        if (ex.chance(15)) {
            return unionOfKeys(alias);
        }
        Rel base = ex.pick(GenSchema.TABLES);
        List<Bound> scope = List.of(new Bound(alias, base));
        String where = ex.chance(50) ? " WHERE " + ex.predicate(scope) : "";
        if (ex.chance(40)) {
            TExpr g = ex.comparable(scope);
            String gname = g.sql().substring(g.sql().indexOf('.') + 1);
            TExpr num = ex.expr(scope, Type.NUM);
            List<Col> cols = List.of(new Col(gname, g.type(), g.domain(), true, g.samples()),
                    new Col("cnt", Type.INT, null, false, GenSchema.SMALL),
                    new Col("sum_v", Type.NUM, null, true, GenSchema.MONEY));
            return new Derived("SELECT " + g.sql() + " AS " + gname + ", count(*) AS cnt, sum(" + num.sql() + ") AS sum_v"
                    + " FROM " + base.name() + " " + alias + where + " GROUP BY " + g.sql(),
                    new Rel("derived", cols, List.of(gname)));
        }
        List<Col> cols = new ArrayList<>();
        for (Col c : base.cols()) {
            if (base.key().contains(c.name()) || ex.chance(60)) {
                cols.add(c);
            }
        }
        if (cols.isEmpty()) {
            cols.add(ex.pick(base.cols()));
        }
        String items = String.join(", ", cols.stream().map(c -> alias + "." + c.name() + " AS " + c.name()).toList());
        return new Derived("SELECT " + items + " FROM " + base.name() + " " + alias + where,
                new Rel("derived", cols, base.key()));
    }

    /** {@code SELECT a.x AS k … UNION ALL SELECT b.y …} over two columns of one join domain. */
    private Derived unionOfKeys(String alias) {
        String domain = ex.pick(List.of("cust", "cust", "order", "region"));
        List<String[]> cols = new ArrayList<>();
        for (Rel r : GenSchema.TABLES) {
            r.cols().stream().filter(c -> domain.equals(c.domain())).forEach(c -> cols.add(new String[] {r.name(), c.name()}));
        }
        String[] a = ex.pick(cols);
        String[] b = ex.pick(cols);
        Col first = GenSchema.TABLES.stream().filter(r -> r.name().equals(a[0])).findFirst().orElseThrow().col(a[1]);
        String sql = "SELECT " + alias + "." + a[1] + " AS k FROM " + a[0] + " " + alias + " UNION ALL SELECT " + alias
                + "b." + b[1] + " FROM " + b[0] + " " + alias + "b";
        return new Derived(sql, new Rel("derived", List.of(new Col("k", first.type(), domain, true, first.samples())),
                List.of()));
    }

    /** A FROM clause: its base, joins and the scope they bind. */
    private record From(String base, List<Join> joins, List<Bound> scope) {
    }

    private From from(int maxJoins, boolean lateralToo) {
        List<Bound> scope = new ArrayList<>();
        String base;
        if (ex.chance(8)) {
            Derived d = derived("s" + (++aliases));
            base = "(" + d.sql() + ") t0";
            scope.add(new Bound("t0", d.rel()));
        } else {
            Rel r = relation(true);
            base = r.name() + " t0";
            scope.add(new Bound("t0", r));
        }
        List<Join> joins = new ArrayList<>();
        int n = maxJoins == 0 ? 0 : ex.pick(List.of(0, 1, 1, 2, 2)) % (maxJoins + 1);
        for (int i = 1; i <= n; i++) {
            if (lateralToo && ex.chance(9)) {
                SubqueryGenerator.Lateral l = sub.lateral(scope, "l" + i);
                joins.add(l.join());
                scope.add(l.join().kind().startsWith("LEFT") ? l.bound().asPadded() : l.bound());
                continue;
            }
            Join j = join(scope, "t" + i);
            if (j != null) {
                joins.add(j);
            }
        }
        return new From(base, joins, scope);
    }

    /** A join of a new relation to the scope on columns of one domain (adds the relation to scope). */
    private Join join(List<Bound> scope, String alias) {
        for (int attempt = 0; attempt < 10; attempt++) {
            boolean self = ex.chance(20);
            Rel r = self ? ex.pick(scope).rel() : relation(false);
            String relSql = r.name();
            if (!self && ex.chance(15)) { // a derived table, often a grouping: outer joins of groupings
                Derived d = derived("s" + (++aliases));
                r = d.rel();
                relSql = "(" + d.sql() + ")";
            } else if (r.name().equals("derived") || r.name().equals("lateral")) {
                continue;
            }
            Bound b = new Bound(alias, r);
            String eq = ex.sameDomain(List.of(b), scope, false);
            if (eq == null) {
                continue;
            }
            String kind = ex.pick(List.of("JOIN", "JOIN", "JOIN", "JOIN", "LEFT JOIN", "LEFT JOIN", "RIGHT JOIN",
                    "FULL JOIN", "FULL JOIN"));
            List<String> on = new ArrayList<>();
            on.add(ex.chance(15) ? eq.replace(" = ", " IS NOT DISTINCT FROM ") : eq);
            if (kind.equals("FULL JOIN")) {
                on.set(0, eq);
                String eq2 = ex.sameDomain(List.of(b), scope);
                if (ex.chance(25) && !eq2.equals(eq)) {
                    on.add(eq2);
                }
            } else if (self && r.key().size() == 1) {
                Rel same = r;
                Bound other = scope.stream().filter(x -> x.rel() == same).findFirst().orElseThrow();
                on.add(other.alias() + "." + r.key().get(0) + " < " + alias + "." + r.key().get(0));
            } else if (ex.chance(35)) {
                on.add(ex.chance(50) ? ex.predicate(List.of(b)) : nonEqui(b, scope));
            }
            if (kind.equals("RIGHT JOIN") || kind.equals("FULL JOIN")) {
                scope.replaceAll(Bound::asPadded);
            }
            scope.add(kind.equals("LEFT JOIN") || kind.equals("FULL JOIN") ? b.asPadded() : b);
            return new Join(kind, relSql + " " + alias, on);
        }
        return null;
    }

    /** {@code new.x < old.y} for two columns of one ordered type, or a one-sided predicate when none. */
    private String nonEqui(Bound b, List<Bound> scope) {
        for (int i = 0; i < 6; i++) {
            TExpr x = ex.comparable(List.of(b));
            TExpr y = ex.column(scope, x.type());
            if (y != null && x.type() != Type.TEXT) {
                return x.sql() + ex.pick(List.of(" < ", " >= ", " <> ")) + y.sql();
            }
        }
        return ex.predicate(List.of(b));
    }

    private List<String> where(List<Bound> scope, int subqueryPercent) {
        List<String> out = new ArrayList<>();
        for (int i = ex.pick(List.of(0, 1, 1, 1, 2, 2, 3)); i > 0; i--) {
            out.add(ex.chance(subqueryPercent) ? sub.predicate(scope, 1) : ex.predicate(scope));
        }
        return out;
    }

    private String alias(List<Item> items) {
        return "c" + (items.size() + 1);
    }

    /** Scan / filter / project / join query; with {@code distinct}, SELECT DISTINCT without the keys. */
    private Select plain(From f, boolean distinct) {
        List<Item> items = new ArrayList<>();
        if (!distinct && ex.chance(55)) {
            for (Bound b : f.scope()) {
                for (String k : b.rel().key()) {
                    items.add(new Item(b.alias() + "." + k, alias(items)));
                }
            }
        }
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            int k = rnd.nextInt(100);
            TExpr v = null;
            if (k < 7 && !distinct) {
                v = sub.value(f.scope());
            } else if (k < 20) {
                items.add(new Item(ex.predicate(f.scope()), alias(items)));
                continue;
            } else if (k < 24 && !distinct && ex.column(f.scope(), Type.JSONB) != null) {
                items.add(new Item(ex.column(f.scope(), Type.JSONB).sql() + "::json", alias(items)));
                continue;
            }
            items.add(new Item((v == null ? ex.anyExpr(f.scope()) : v).sql(), alias(items)));
        }
        return new Select(distinct, null, items, f.base(), f.joins(), where(f.scope(), 30), List.of(), List.of(), null,
                null);
    }

    /** GROUP BY (possibly none, possibly over NULL keys) with aggregates and maybe HAVING. */
    private Select aggregate(From f) {
        List<Item> items = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = ex.pick(List.of(0, 1, 1, 1, 2, 2)); i > 0; i--) {
            TExpr k = ex.chance(60) ? ex.column(f.scope(), null) : ex.anyExpr(f.scope());
            if (!keys.contains(k.sql())) {
                keys.add(k.sql());
                if (ex.chance(92)) {
                    items.add(new Item(k.sql(), alias(items)));
                }
            }
        }
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            items.add(new Item(ex.aggregate(f.scope(), ex.chance(8)).sql(), alias(items)));
        }
        List<String> having = ex.chance(30) ? List.of(ex.having(f.scope())) : List.of();
        return new Select(false, null, items, f.base(), f.joins(), where(f.scope(), 20), keys, having, null, null);
    }

    /** Two branches of the same column types under {@code op}; sometimes a branch with itself (equal rows). */
    private Select setOperation(String op) {
        if (ex.chance(20)) {
            Type key = ex.pick(List.of(Type.INT, Type.TEXT));
            return aggregateBranch(key).withSetOp(new SetOp(op, aggregateBranch(key)));
        }
        From lf = from(1, false);
        List<Item> items = new ArrayList<>();
        List<Type> types = new ArrayList<>();
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            TExpr e = ex.anyExpr(lf.scope());
            items.add(new Item(e.sql(), alias(items)));
            types.add(e.type());
        }
        Select left = new Select(false, null, items, lf.base(), lf.joins(), where(lf.scope(), 15), List.of(), List.of(),
                null, null);
        Select right;
        if (ex.chance(30)) {
            right = ex.chance(50) ? left : left.withWhere(where(lf.scope(), 0));
        } else {
            From rf = from(1, false);
            List<Item> ritems = new ArrayList<>();
            for (Type t : types) {
                ritems.add(new Item(ex.expr(rf.scope(), t).sql(), alias(ritems)));
            }
            right = new Select(false, null, ritems, rf.base(), rf.joins(), where(rf.scope(), 15), List.of(), List.of(),
                    null, null);
        }
        return left.withSetOp(new SetOp(op, right));
    }

    /** {@code SELECT key AS c1, count(*) AS c2, sum(num) AS c3 … GROUP BY key}: a branch of a set operation. */
    private Select aggregateBranch(Type keyType) {
        From f = from(1, false);
        TExpr key = ex.expr(f.scope(), keyType);
        TExpr num = ex.expr(f.scope(), Type.NUM);
        List<Item> items = List.of(new Item(key.sql(), "c1"), new Item("count(*)", "c2"),
                new Item("sum(" + num.sql() + ")", "c3"));
        return new Select(false, null, items, f.base(), f.joins(), where(f.scope(), 0), List.of(key.sql()), List.of(),
                null, null);
    }

    /** A construct maintained only in FULL: window functions, ORDER BY … LIMIT, EXCEPT, INTERSECT, DISTINCT ON, ROLLUP. */
    private Select fullOnly() {
        Rel r = ex.pick(List.of(GenSchema.ORDERS, GenSchema.CUSTOMERS, GenSchema.ITEMS));
        List<Bound> scope = List.of(new Bound("t0", r));
        String keys = String.join(", ", r.key().stream().map(k -> "t0." + k).toList());
        List<Item> items = new ArrayList<>();
        r.key().forEach(k -> items.add(new Item("t0." + k, alias(items))));
        TExpr part = ex.comparable(scope);
        TExpr num = ex.expr(scope, Type.NUM);
        String from = r.name() + " t0";
        List<String> where = where(scope, 0);
        switch (rnd.nextInt(6)) {
            case 0 -> {
                items.add(new Item(ex.pick(List.of("sum(" + num.sql() + ") OVER (PARTITION BY " + part.sql() + ")",
                        "row_number() OVER (PARTITION BY " + part.sql() + " ORDER BY " + keys + ")",
                        "count(*) OVER ()", "lag(" + num.sql() + ") OVER (ORDER BY " + keys + ")",
                        "rank() OVER (ORDER BY " + part.sql() + ")")), alias(items)));
                return new Select(false, null, items, from, List.of(), where, List.of(), List.of(), null, null);
            }
            case 1 -> {
                items.add(new Item(ex.anyExpr(scope).sql(), alias(items)));
                return new Select(false, null, items, from, List.of(), where, List.of(), List.of(), null,
                        "ORDER BY " + keys + " LIMIT " + (5 + rnd.nextInt(20)));
            }
            case 2, 3 -> {
                Select s = setOperation(ex.pick(List.of("EXCEPT", "INTERSECT", "EXCEPT ALL", "INTERSECT ALL")));
                return s;
            }
            case 4 -> {
                List<Item> on = new ArrayList<>();
                on.add(new Item(part.sql(), "c1"));
                on.add(new Item(keys.split(", ")[0], "c2"));
                on.add(new Item(ex.anyExpr(scope).sql(), "c3"));
                return new Select(false, part.sql(), on, from, List.of(), where, List.of(), List.of(), null,
                        "ORDER BY " + part.sql() + ", " + keys);
            }
            default -> {
                TExpr a = ex.comparable(scope);
                TExpr b = ex.comparable(scope);
                List<Item> g = new ArrayList<>(List.of(new Item(a.sql(), "c1"), new Item(b.sql(), "c2"),
                        new Item("count(*)", "c3"), new Item("sum(" + num.sql() + ")", "c4")));
                return new Select(false, null, g, from, List.of(), where,
                        List.of("ROLLUP (" + a.sql() + ", " + b.sql() + ")"), List.of(), null, null);
            }
        }
    }
}
