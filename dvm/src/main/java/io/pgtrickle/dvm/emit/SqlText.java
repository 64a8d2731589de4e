package io.pgtrickle.dvm.emit;

import java.util.List;
import java.util.stream.Collectors;

/** Small, stable SQL text conventions: quoting, indentation, lists. */
public final class SqlText {
  private SqlText() {}

  /** A quoted identifier; every identifier the engine writes is quoted. */
  public static String q(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** {@code alias."column"}. */
  public static String col(String alias, String column) {
    return q(alias) + "." + q(column);
  }

  /** A SQL string literal. */
  public static String lit(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  /** Indents every line of {@code sql} by {@code n} spaces. */
  public static String indent(String sql, int n) {
    String pad = " ".repeat(n);
    return sql.lines().map(l -> l.isEmpty() ? l : pad + l).collect(Collectors.joining("\n"));
  }

  /** {@code (\n  sql\n)}: a parenthesised sub-query. */
  public static String sub(String sql) {
    return "(\n" + indent(sql, 2) + "\n)";
  }

  /** Comma-separated items, one per line after the first, indented by {@code n}. */
  public static String list(List<String> items, int n) {
    return String.join(",\n" + " ".repeat(n), items);
  }
}
