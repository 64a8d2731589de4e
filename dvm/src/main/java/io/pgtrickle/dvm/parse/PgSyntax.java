package io.pgtrickle.dvm.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Maps the everyday PostgreSQL syntax that Calcite's grammar lacks onto syntax it parses, at
 * the token level (string literals, quoted identifiers and comments are never touched):
 *
 * <ul>
 *   <li>{@code interval '1 day 2 hours'} becomes {@code (INTERVAL '1' DAY + INTERVAL '2' HOUR)};
 *   <li>jsonb operators {@code a -> 'k'}, {@code a ->> 'k'}, {@code #>}, {@code #>>}, {@code ?},
 *       {@code ?|}, {@code ?&}, {@code @>}, {@code <@} become calls of
 *       {@code __pgt_op_*(a, 'k')} ({@link PgOperators}), written back infix on output.
 * </ul>
 *
 * <p>It also recognises constructs that parse only to be refused, so the plan can say why in
 * words a user can act on ({@link #unsupported}).
 */
public final class PgSyntax {
  private PgSyntax() {}

  enum Kind { WORD, QUOTED_IDENT, STRING, NUMBER, OP, LPAREN, RPAREN, COMMA, DOT, OTHER, SPACE }

  record Token(Kind kind, String text) {
    boolean is(String s) {
      return text.equalsIgnoreCase(s);
    }
  }

  private static final List<String> OPS = List.of("->>", "->", "#>>", "#>", "?|", "?&", "?",
      "@>", "<@");

  /** Keywords that may stand before "(" without making it a function call. */
  private static final Set<String> NOT_FUNCTIONS = Set.of("and", "or", "not", "in", "where",
      "select", "on", "when", "then", "else", "as", "by", "having", "exists", "from", "join",
      "case", "is", "like", "between", "all", "any", "some", "using", "distinct");

  /** A reason the query cannot be maintained incrementally, recognised before parsing. */
  public static Optional<String> unsupported(String sql) {
    List<Token> toks = significant(tokenize(sql));
    for (int i = 0; i + 2 < toks.size(); i++) {
      if (toks.get(i).is("select") && toks.get(i + 1).is("distinct") && toks.get(i + 2).is("on")) {
        return Optional.of("SELECT DISTINCT ON keeps the first row of each group in ORDER BY "
            + "order, which cannot be maintained from changes alone; use GROUP BY with "
            + "min()/max() (or a join on the per-group max) to keep DIFFERENTIAL");
      }
    }
    return Optional.empty();
  }

  /** The query with PostgreSQL-only syntax mapped to what Calcite's Babel grammar parses. */
  public static String rewrite(String sql) {
    List<Token> toks = tokenize(sql);
    toks = rewriteIntervals(toks);
    toks = rewriteTypedLiterals(toks);
    toks = parenthesizeCasts(toks);
    toks = rewriteInfix(toks);
    StringBuilder sb = new StringBuilder();
    for (Token t : toks) {
      sb.append(t.text);
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- intervals

  private static List<Token> rewriteIntervals(List<Token> toks) {
    List<Token> out = new ArrayList<>();
    for (int i = 0; i < toks.size(); i++) {
      Token t = toks.get(i);
      if (t.kind == Kind.WORD && t.is("interval")) {
        int j = i + 1;
        while (j < toks.size() && toks.get(j).kind == Kind.SPACE) {
          j++;
        }
        if (j < toks.size() && toks.get(j).kind == Kind.STRING) {
          String body = toks.get(j).text;
          String standard = standardInterval(body.substring(1, body.length() - 1));
          if (standard != null) {
            out.add(new Token(Kind.OTHER, standard));
            i = j;
            continue;
          }
        }
      }
      out.add(t);
    }
    return out;
  }

  /** Type names PostgreSQL accepts in {@code type 'literal'} that Calcite does not. */
  private static final Set<String> LITERAL_TYPES = Set.of("timestamptz", "timestamp", "date",
      "time", "jsonb", "json", "uuid", "text", "int2", "int4", "int8", "numeric", "bool",
      "boolean", "inet", "cidr", "bytea", "float4", "float8", "integer", "bigint", "smallint",
      "real", "varchar");

  /** {@code timestamptz '2024-01-02'} becomes {@code ('2024-01-02'::timestamptz)}. */
  private static List<Token> rewriteTypedLiterals(List<Token> toks) {
    List<Token> out = new ArrayList<>();
    for (int i = 0; i < toks.size(); i++) {
      Token t = toks.get(i);
      if (t.kind == Kind.WORD && LITERAL_TYPES.contains(t.text.toLowerCase(Locale.ROOT))) {
        int j = nextSignificant(toks, i + 1);
        int before = prevSignificant(toks, i - 1);
        boolean afterCast = before >= 0 && toks.get(before).text.equals("::");
        if (!afterCast && j > 0 && toks.get(j).kind == Kind.STRING
            && toks.get(j).text.startsWith("'")) {
          out.add(new Token(Kind.LPAREN, "("));
          out.add(toks.get(j));
          out.add(new Token(Kind.OP, "::"));
          out.add(new Token(Kind.WORD, t.text));
          out.add(new Token(Kind.RPAREN, ")"));
          i = j;
          continue;
        }
      }
      out.add(t);
    }
    return out;
  }

  /** "1 day 2 hours" to "(INTERVAL '1' DAY + INTERVAL '2' HOUR)"; null if not that simple. */
  static String standardInterval(String s) {
    String[] parts = s.trim().toLowerCase(Locale.ROOT).split("\\s+");
    if (parts.length < 2 || parts.length % 2 != 0) {
      return null;
    }
    List<String> terms = new ArrayList<>();
    for (int i = 0; i < parts.length; i += 2) {
      String n = parts[i];
      if (!n.matches("[+-]?\\d+")) {
        return null;
      }
      String unit;
      switch (parts[i + 1].replaceAll("s$", "")) {
        case "year", "yr", "y" -> unit = "YEAR";
        case "mon", "month" -> unit = "MONTH";
        case "week", "w" -> {
          unit = "DAY";
          n = Long.toString(Long.parseLong(n) * 7);
        }
        case "day", "d" -> unit = "DAY";
        case "hour", "hr", "h" -> unit = "HOUR";
        case "min", "minute", "m" -> unit = "MINUTE";
        case "sec", "second" -> unit = "SECOND";
        default -> {
          return null;
        }
      }
      terms.add("INTERVAL '" + n + "' " + unit);
    }
    return terms.size() == 1 ? terms.get(0) : "(" + String.join(" + ", terms) + ")";
  }

  // ---------------------------------------------------------------- casts

  /**
   * {@code x::type} becomes {@code (x::type)}. Babel parses {@code ::} with a lower precedence
   * than PostgreSQL ({@code a AND b::int > 1} would read as {@code (a AND b)::int > 1}); in
   * PostgreSQL {@code ::} binds tighter than any operator.
   */
  private static List<Token> parenthesizeCasts(List<Token> all) {
    List<Token> toks = new ArrayList<>(all);
    for (int i = 0; i < toks.size(); i++) {
      if (!(toks.get(i).kind == Kind.OP && toks.get(i).text.equals("::"))) {
        continue;
      }
      int l = castOperandStart(toks, prevSignificant(toks, i - 1));
      int r = typeEnd(toks, nextSignificant(toks, i + 1));
      if (l < 0 || r < 0) {
        continue;
      }
      toks.add(r + 1, new Token(Kind.RPAREN, ")"));
      toks.add(l, new Token(Kind.LPAREN, "("));
      i++;
    }
    return toks;
  }

  /** Start of the primary expression ending at {@code end}, without following casts back. */
  private static int castOperandStart(List<Token> toks, int end) {
    if (end < 0) {
      return -1;
    }
    Token t = toks.get(end);
    if (t.kind == Kind.RPAREN) {
      int depth = 0;
      int k = end;
      for (; k >= 0; k--) {
        if (toks.get(k).kind == Kind.RPAREN) {
          depth++;
        } else if (toks.get(k).kind == Kind.LPAREN && --depth == 0) {
          break;
        }
      }
      if (k < 0) {
        return -1;
      }
      int f = prevSignificant(toks, k - 1);
      if (f >= 0 && (toks.get(f).kind == Kind.QUOTED_IDENT || (toks.get(f).kind == Kind.WORD
          && !NOT_FUNCTIONS.contains(toks.get(f).text.toLowerCase(Locale.ROOT))))) {
        return dottedStart(toks, f);
      }
      return k;
    }
    if (t.kind == Kind.WORD || t.kind == Kind.QUOTED_IDENT) {
      return dottedStart(toks, end);
    }
    if (t.kind == Kind.STRING || t.kind == Kind.NUMBER) {
      return end;
    }
    return -1;
  }

  private static final Set<String> TYPE_CONTINUATIONS = Set.of("precision", "varying", "with",
      "without", "time", "zone");

  /** Last token of the type name starting at {@code start}. */
  private static int typeEnd(List<Token> toks, int start) {
    if (start < 0 || (toks.get(start).kind != Kind.WORD
        && toks.get(start).kind != Kind.QUOTED_IDENT)) {
      return -1;
    }
    int end = start;
    while (end + 2 < toks.size() && toks.get(end + 1).kind == Kind.DOT) {
      end += 2;
    }
    while (true) {
      int n = nextSignificant(toks, end + 1);
      if (n < 0) {
        return end;
      }
      Token t = toks.get(n);
      if (t.kind == Kind.WORD && TYPE_CONTINUATIONS.contains(t.text.toLowerCase(Locale.ROOT))) {
        // "with time zone" only after timestamp/time; "precision" after double; "varying"
        // after character/bit: a plain word here would be an alias, which cannot follow a
        // cast directly anyway except as "AS", not in this set.
        end = n;
      } else if (t.kind == Kind.LPAREN) {
        end = matchingParen(toks, n);
        if (end < 0) {
          return -1;
        }
      } else if (t.text.equals("[")) {
        end = matchingBracket(toks, n);
        if (end < 0) {
          return -1;
        }
      } else {
        return end;
      }
    }
  }

  // ---------------------------------------------------------------- infix jsonb operators

  private static List<Token> rewriteInfix(List<Token> all) {
    List<Token> toks = new ArrayList<>(all);
    while (true) {
      int at = -1;
      for (int i = 0; i < toks.size(); i++) {
        if (toks.get(i).kind == Kind.OP && OPS.contains(toks.get(i).text)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        return toks;
      }
      int l = operandStart(toks, prevSignificant(toks, at - 1));
      int r = operandEnd(toks, nextSignificant(toks, at + 1));
      if (l < 0 || r < 0) {
        // Not a shape we can delimit: leave it; Calcite will fail to parse and the plan falls
        // back to FULL with the parser's message.
        toks.set(at, new Token(Kind.OTHER, toks.get(at).text));
        continue;
      }
      List<Token> replaced = new ArrayList<>(toks.subList(0, l));
      replaced.add(new Token(Kind.WORD, PgOperators.functionFor(toks.get(at).text)));
      replaced.add(new Token(Kind.LPAREN, "("));
      replaced.addAll(toks.subList(l, at));
      replaced.add(new Token(Kind.COMMA, ","));
      replaced.addAll(toks.subList(at + 1, r + 1));
      replaced.add(new Token(Kind.RPAREN, ")"));
      replaced.addAll(toks.subList(r + 1, toks.size()));
      toks = replaced;
    }
  }

  private static int prevSignificant(List<Token> toks, int i) {
    while (i >= 0 && toks.get(i).kind == Kind.SPACE) {
      i--;
    }
    return i;
  }

  private static int nextSignificant(List<Token> toks, int i) {
    while (i < toks.size() && toks.get(i).kind == Kind.SPACE) {
      i++;
    }
    return i < toks.size() ? i : -1;
  }

  /** Start of the primary expression (with any ::casts) that ends at token {@code end}. */
  private static int operandStart(List<Token> toks, int end) {
    int start = castOperandStart(toks, end);
    if (start < 0) {
      return -1;
    }
    // A cast binds tighter than these operators: "x::jsonb -> 'a'" takes "x::jsonb".
    int before = prevSignificant(toks, start - 1);
    if (before >= 0 && toks.get(before).text.equals("::")) {
      return operandStart(toks, prevSignificant(toks, before - 1));
    }
    return start;
  }

  private static int dottedStart(List<Token> toks, int i) {
    while (i >= 2 && toks.get(i - 1).kind == Kind.DOT
        && (toks.get(i - 2).kind == Kind.WORD || toks.get(i - 2).kind == Kind.QUOTED_IDENT)) {
      i -= 2;
    }
    return i;
  }

  /** End of the primary expression (with any ::casts) that starts at token {@code start}. */
  private static int operandEnd(List<Token> toks, int start) {
    if (start < 0) {
      return -1;
    }
    int end;
    Token t = toks.get(start);
    if (t.kind == Kind.LPAREN) {
      end = matchingParen(toks, start);
    } else if (t.kind == Kind.STRING || t.kind == Kind.NUMBER) {
      end = start;
    } else if (t.kind == Kind.WORD && (t.is("array") || t.is("row"))) {
      int p = nextSignificant(toks, start + 1);
      end = p < 0 ? -1 : matchingParen(toks, p);
      if (p >= 0 && toks.get(p).text.equals("[")) {
        end = matchingBracket(toks, p);
      }
    } else if (t.kind == Kind.WORD || t.kind == Kind.QUOTED_IDENT) {
      end = start;
      while (end + 2 < toks.size() && toks.get(end + 1).kind == Kind.DOT) {
        end += 2;
      }
      int p = nextSignificant(toks, end + 1);
      if (p >= 0 && toks.get(p).kind == Kind.LPAREN) {
        end = matchingParen(toks, p);
      }
    } else {
      return -1;
    }
    if (end < 0) {
      return -1;
    }
    int after = nextSignificant(toks, end + 1);
    while (after >= 0 && toks.get(after).text.equals("::")) {
      int typeTok = nextSignificant(toks, after + 1);
      if (typeTok < 0) {
        return -1;
      }
      end = typeTok;
      int p = nextSignificant(toks, end + 1);
      if (p >= 0 && toks.get(p).kind == Kind.LPAREN) {
        end = matchingParen(toks, p);
      }
      after = nextSignificant(toks, end + 1);
    }
    return end;
  }

  private static int matchingParen(List<Token> toks, int open) {
    if (toks.get(open).kind != Kind.LPAREN) {
      return -1;
    }
    int depth = 0;
    for (int k = open; k < toks.size(); k++) {
      if (toks.get(k).kind == Kind.LPAREN) {
        depth++;
      } else if (toks.get(k).kind == Kind.RPAREN && --depth == 0) {
        return k;
      }
    }
    return -1;
  }

  private static int matchingBracket(List<Token> toks, int open) {
    int depth = 0;
    for (int k = open; k < toks.size(); k++) {
      if (toks.get(k).text.equals("[")) {
        depth++;
      } else if (toks.get(k).text.equals("]") && --depth == 0) {
        return k;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- tokenizer

  static List<Token> significant(List<Token> toks) {
    return toks.stream().filter(t -> t.kind != Kind.SPACE).toList();
  }

  /** PostgreSQL lexical structure, enough to never rewrite inside literals or comments. */
  static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      int j;
      if (Character.isWhitespace(c)) {
        j = i;
        while (j < n && Character.isWhitespace(s.charAt(j))) {
          j++;
        }
        out.add(new Token(Kind.SPACE, s.substring(i, j)));
      } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
        j = s.indexOf('\n', i);
        j = j < 0 ? n : j;
        out.add(new Token(Kind.SPACE, s.substring(i, j)));
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        j = s.indexOf("*/", i + 2);
        j = j < 0 ? n : j + 2;
        out.add(new Token(Kind.SPACE, s.substring(i, j)));
      } else if (c == '\'' || ((c == 'E' || c == 'e') && i + 1 < n && s.charAt(i + 1) == '\'')) {
        boolean escapes = c != '\'';
        j = escapes ? i + 2 : i + 1;
        while (j < n) {
          char d = s.charAt(j);
          if (escapes && d == '\\') {
            j += 2;
            continue;
          }
          if (d == '\'') {
            if (j + 1 < n && s.charAt(j + 1) == '\'') {
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        j = Math.min(j + 1, n);
        out.add(new Token(Kind.STRING, s.substring(i, j)));
      } else if (c == '$' && dollarTag(s, i) != null) {
        String tag = dollarTag(s, i);
        int close = s.indexOf(tag, i + tag.length());
        j = close < 0 ? n : close + tag.length();
        out.add(new Token(Kind.STRING, s.substring(i, j)));
      } else if (c == '"') {
        j = i + 1;
        while (j < n) {
          if (s.charAt(j) == '"') {
            if (j + 1 < n && s.charAt(j + 1) == '"') {
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        j = Math.min(j + 1, n);
        out.add(new Token(Kind.QUOTED_IDENT, s.substring(i, j)));
      } else if (Character.isLetter(c) || c == '_') {
        j = i;
        while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_'
            || s.charAt(j) == '$')) {
          j++;
        }
        out.add(new Token(Kind.WORD, s.substring(i, j)));
      } else if (Character.isDigit(c)) {
        j = i;
        while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.')) {
          j++;
        }
        out.add(new Token(Kind.NUMBER, s.substring(i, j)));
      } else if (c == '(') {
        j = i + 1;
        out.add(new Token(Kind.LPAREN, "("));
      } else if (c == ')') {
        j = i + 1;
        out.add(new Token(Kind.RPAREN, ")"));
      } else if (c == ',') {
        j = i + 1;
        out.add(new Token(Kind.COMMA, ","));
      } else if (c == '.') {
        j = i + 1;
        out.add(new Token(Kind.DOT, "."));
      } else if ("+-*/<>=~!@#%^&|`?:".indexOf(c) >= 0) {
        j = i;
        while (j < n && "+-*/<>=~!@#%^&|`?:".indexOf(s.charAt(j)) >= 0) {
          j++;
        }
        out.add(new Token(Kind.OP, s.substring(i, j)));
      } else {
        j = i + 1;
        out.add(new Token(Kind.OTHER, s.substring(i, j)));
      }
      i = j;
    }
    return out;
  }

  private static String dollarTag(String s, int i) {
    int j = i + 1;
    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
      j++;
    }
    if (j < s.length() && s.charAt(j) == '$'
        && (j == i + 1 || !Character.isDigit(s.charAt(i + 1)))) {
      return s.substring(i, j + 1);
    }
    return null;
  }
}
