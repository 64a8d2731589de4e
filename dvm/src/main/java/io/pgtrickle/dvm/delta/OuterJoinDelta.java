package io.pgtrickle.dvm.delta;

import static io.pgtrickle.dvm.emit.SqlText.col;
import static io.pgtrickle.dvm.emit.SqlText.q;

import io.pgtrickle.dvm.emit.Expressions;
import io.pgtrickle.dvm.emit.SqlText;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * LEFT, RIGHT and FULL outer joins.
 *
 * <p>Z-set rule: an outer join is the inner join plus, for each preserved side P, the rows of
 * P with no partner (the anti-join {@code P ▷ O}), padded with NULLs:
 * {@code L ⟕ R = L ⋈ R + (L ▷ R) × NULL}. The inner part follows {@link JoinDelta}. For the
 * anti-join, only P rows whose partner status can have changed are looked at: the candidates
 * K = identities in ΔP ∪ identities of P rows that meet a changed O row. Then
 * <pre>
 *   Δ(P ▷ O) = [P_post|K with no partner in O_post] − [P_pre|K with no partner in O_pre]
 *   P_pre|K  = P_post|K − ΔP                         (as a Z-set)
 *   partners in O_pre of p = count(O_post ⋈ p) − Σ weights of (ΔO ⋈ p)
 * </pre>
 * so no pre-state is ever materialised.
 *
 * <p>Identity: as for inner joins, except that the side padded with NULLs cannot pin the
 * other's identity; the pair of identities is used, the padded side's part being NULL.
 */
final class OuterJoinDelta {
  private OuterJoinDelta() {}

  static Derived derive(Join join, Derived left, Derived right, ImmutableBitSet used,
      DeltaContext ctx) {
    JoinRelType type = join.getJoinType();
    boolean keepLeft = type == JoinRelType.LEFT || type == JoinRelType.FULL;
    boolean keepRight = type == JoinRelType.RIGHT || type == JoinRelType.FULL;
    int nl = join.getLeft().getRowType().getFieldCount();
    List<String> names = join.getRowType().getFieldNames();

    // Output columns and identity.
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String source = i < nl ? left.columns().get(i) : right.columns().get(i - nl);
      columns.add(used.get(i) && source != null ? names.get(i) : null);
    }
    List<IdColumn> ids = new ArrayList<>();
    List<String> idFromLeft = new ArrayList<>();
    List<String> idFromRight = new ArrayList<>();
    boolean counted;
    if (type == JoinRelType.LEFT && JoinDelta.pins(join.getCondition(), right, nl, true)) {
      for (IdColumn id : left.ids()) {
        ids.add(id);
        idFromLeft.add(id.name());
        idFromRight.add(null);
      }
      counted = left.counted();
    } else if (type == JoinRelType.RIGHT && JoinDelta.pins(join.getCondition(), left, nl, false)) {
      for (IdColumn id : right.ids()) {
        ids.add(id.withField(id.field() < 0 ? -1 : id.field() + nl));
        idFromLeft.add(null);
        idFromRight.add(id.name());
      }
      counted = right.counted();
    } else {
      for (IdColumn id : left.ids()) {
        IdColumn out = id.renamed("__pgt_id" + ids.size());
        if (keepRight) {
          out = new IdColumn(out.name(),
              ctx.typeFactory().createTypeWithNullability(out.type(), true), out.field());
        }
        ids.add(out);
        idFromLeft.add(id.name());
        idFromRight.add(null);
      }
      if (keepRight && mayBeNull(left)) {
        ids.add(presence(ids.size(), ctx));
        idFromLeft.add(PRESENT);
        idFromRight.add(null);
      }
      for (IdColumn id : right.ids()) {
        IdColumn out = id.renamed("__pgt_id" + ids.size())
            .withField(id.field() < 0 ? -1 : id.field() + nl);
        if (keepLeft) {
          out = new IdColumn(out.name(),
              ctx.typeFactory().createTypeWithNullability(out.type(), true), out.field());
        }
        ids.add(out);
        idFromLeft.add(null);
        idFromRight.add(id.name());
      }
      if (keepLeft && mayBeNull(right)) {
        ids.add(presence(ids.size(), ctx));
        idFromLeft.add(null);
        idFromRight.add(PRESENT);
      }
      counted = left.counted() || right.counted();
    }

    String cond = Expressions.render(join.getCondition(), JoinDelta.fields(left, right));
    String both = items(columns, ids, left, right, nl, idFromLeft, idFromRight, true, true, false);
    String w = q(DeltaContext.W);
    String sqlType = switch (type) {
      case LEFT -> "LEFT JOIN";
      case RIGHT -> "RIGHT JOIN";
      default -> "FULL JOIN";
    };
    // The contents: a side whose presence is part of the identity carries a marker column, which the outer
    // join pads with NULL like the side's other columns.
    boolean leftMarked = idFromLeft.contains(PRESENT);
    boolean rightMarked = idFromRight.contains(PRESENT);
    String post = "SELECT " + items(columns, ids, left, right, nl, idFromLeft, idFromRight, true, true, true)
        + "\nFROM " + SqlText.sub(marked(left.post(), leftMarked)) + " AS " + q("l")
        + "\n" + sqlType + " " + SqlText.sub(marked(right.post(), rightMarked)) + " AS " + q("r") + " ON " + cond;

    List<String> parts = new ArrayList<>();
    parts.add("SELECT " + both + ",\n       " + col("l", DeltaContext.W) + " AS " + w
        + "\nFROM " + q(left.delta()) + " AS " + q("l")
        + "\nJOIN " + SqlText.sub(right.post()) + " AS " + q("r") + " ON " + cond);
    parts.add("SELECT " + both + ",\n       " + col("r", DeltaContext.W) + " AS " + w
        + "\nFROM " + SqlText.sub(left.post()) + " AS " + q("l")
        + "\nJOIN " + q(right.delta()) + " AS " + q("r") + " ON " + cond);
    parts.add("SELECT " + both + ",\n       -(" + col("l", DeltaContext.W) + " * "
        + col("r", DeltaContext.W) + ") AS " + w
        + "\nFROM " + q(left.delta()) + " AS " + q("l")
        + "\nJOIN " + q(right.delta()) + " AS " + q("r") + " ON " + cond);
    if (keepLeft) {
      parts.add(anti(true, left, right, cond,
          items(columns, ids, left, right, nl, idFromLeft, idFromRight, true, false, false), ctx));
    }
    if (keepRight) {
      parts.add(anti(false, right, left, cond,
          items(columns, ids, left, right, nl, idFromLeft, idFromRight, false, true, false), ctx));
    }
    String delta = ctx.cte(type.lowerName + "_join", String.join("\nUNION ALL\n", parts));
    return new Derived(columns, ids, counted, post, delta, false);
  }

  /**
   * In the identity lists: the side's presence marker, {@code true} where the side is present and NULL
   * where it is padded.
   */
  private static final String PRESENT = "\0present";

  /**
   * Whether a row of {@code side} can have an identity that reads like its padding: NULL in every part (a
   * group whose key is NULL, a counted row of NULLs) or none at all (a global aggregate). A FULL JOIN of
   * two groupings padded both NULL groups to the same identity, and one row was lost.
   */
  private static boolean mayBeNull(Derived side) {
    return side.ids().isEmpty() || side.ids().stream().allMatch(IdColumn::nullable);
  }

  private static IdColumn presence(int index, DeltaContext ctx) {
    return new IdColumn("__pgt_id" + index, ctx.typeFactory().createTypeWithNullability(
        ctx.typeFactory().createSqlType(org.apache.calcite.sql.type.SqlTypeName.BOOLEAN), true), -1);
  }

  /** The marker column a side's contents carry in the outer join's contents query. */
  private static final String PRESENT_COLUMN = "__pgt_present";

  /**
   * A side's identity part in the select items; its presence marker is the marker column in the contents query
   * ({@code markerColumn}: padding makes it NULL) and {@code true} in the change queries (a real row).
   */
  private static String ref(String alias, String idSource, boolean markerColumn) {
    if (!PRESENT.equals(idSource)) {
      return col(alias, idSource);
    }
    return markerColumn ? col(alias, PRESENT_COLUMN) : "true";
  }

  private static String marked(String post, boolean marked) {
    return marked ? "SELECT " + q("m") + ".*, true AS " + q(PRESENT_COLUMN) + "\nFROM " + SqlText.sub(post)
        + " AS " + q("m") : post;
  }

  /** Select items with the left (l) and/or right (r) side present, the other NULL. */
  private static String items(List<String> columns, List<IdColumn> ids, Derived left,
      Derived right, int nl, List<String> idFromLeft, List<String> idFromRight, boolean hasLeft,
      boolean hasRight, boolean markerColumn) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i) == null) {
        continue;
      }
      boolean isLeft = i < nl;
      String source = isLeft ? left.columns().get(i) : right.columns().get(i - nl);
      boolean present = isLeft ? hasLeft : hasRight;
      out.add((present ? col(isLeft ? "l" : "r", source) : "NULL") + " AS "
          + q(columns.get(i)));
    }
    for (int k = 0; k < ids.size(); k++) {
      String src = idFromLeft.get(k) != null ? (hasLeft ? ref("l", idFromLeft.get(k), markerColumn) : "NULL")
          : (hasRight ? ref("r", idFromRight.get(k), markerColumn) : "NULL");
      out.add(src + " AS " + q(ids.get(k).name()));
    }
    return SqlText.list(out, 7);
  }

  /**
   * Change of the padded rows of preserved side P (alias l or r as in the join condition).
   */
  private static String anti(boolean preservedIsLeft, Derived p, Derived o, String cond,
      String paddedItems, DeltaContext ctx) {
    String pa = preservedIsLeft ? "l" : "r";
    String oa = preservedIsLeft ? "r" : "l";
    // Candidates: identities of changed P rows and of P rows meeting a changed O row.
    List<String> pIds = p.ids().stream().map(id -> col(pa, id.name())).toList();
    List<String> idNames = p.ids().stream().map(id -> q(id.name())).toList();
    String keyList = p.ids().isEmpty() ? "1" : String.join(", ", pIds);
    String candidates = ctx.cte("candidates",
        "SELECT " + keyList + "\nFROM " + q(p.delta()) + " AS " + q(pa)
            + "\nUNION\nSELECT " + keyList + "\nFROM " + SqlText.sub(p.post()) + " AS " + q(pa)
            + "\nJOIN " + q(o.delta()) + " AS " + q(oa) + " ON " + cond);
    String member = membership(p, pa, candidates);
    String partnersNow = "SELECT 1 FROM " + SqlText.sub(o.post()) + " AS " + q(oa) + " WHERE "
        + cond;
    String pCands = ctx.cte("preserved",
        "SELECT " + String.join(", ", p.passThrough(pa)) + ", 1::bigint AS "
            + q(DeltaContext.W) + "\nFROM " + SqlText.sub(p.post()) + " AS " + q(pa)
            + "\nWHERE " + member);
    String postAnti = "SELECT " + paddedItems + ",\n       " + col(pa, DeltaContext.W) + " AS "
        + q(DeltaContext.W) + "\nFROM " + q(pCands) + " AS " + q(pa)
        + "\nWHERE NOT EXISTS " + SqlText.sub(partnersNow);
    String preRows = "SELECT " + String.join(", ", p.passThrough(pa)) + ", "
        + col(pa, DeltaContext.W) + "\nFROM " + q(pCands) + " AS " + q(pa)
        + "\nUNION ALL\nSELECT " + String.join(", ", p.passThrough(pa)) + ", -"
        + col(pa, DeltaContext.W) + "\nFROM " + q(p.delta()) + " AS " + q(pa);
    String pre = ctx.cte("preserved_pre", preRows);
    String prePartners = "(SELECT count(*) FROM " + SqlText.sub(o.post()) + " AS " + q(oa)
        + " WHERE " + cond + ")\n  - coalesce((SELECT sum(" + col(oa, DeltaContext.W) + ") FROM "
        + q(o.delta()) + " AS " + q(oa) + " WHERE " + cond + "), 0)";
    String preAnti = "SELECT " + paddedItems + ",\n       -" + col(pa, DeltaContext.W) + " AS "
        + q(DeltaContext.W) + "\nFROM " + q(pre) + " AS " + q(pa)
        + "\nWHERE " + prePartners + " = 0";
    return postAnti + "\nUNION ALL\n" + preAnti;
  }

  /** {@code alias.ids IN (SELECT … FROM candidates)}, NULL-safe where ids may be NULL. */
  private static String membership(Derived p, String alias, String candidates) {
    if (p.ids().isEmpty()) {
      return "EXISTS (SELECT 1 FROM " + q(candidates) + ")";
    }
    boolean nullable = p.ids().stream().anyMatch(IdColumn::nullable);
    if (!nullable) {
      List<String> refs = p.ids().stream().map(id -> col(alias, id.name())).toList();
      return "(" + String.join(", ", refs) + ") IN (SELECT * FROM " + q(candidates) + ")";
    }
    List<String> conds = new ArrayList<>();
    for (IdColumn id : p.ids()) {
      conds.add(col(alias, id.name()) + " IS NOT DISTINCT FROM " + col("k", id.name()));
    }
    return "EXISTS (SELECT 1 FROM " + q(candidates) + " AS " + q("k") + " WHERE "
        + String.join(" AND ", conds) + ")";
  }
}
