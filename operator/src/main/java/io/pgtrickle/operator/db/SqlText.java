package io.pgtrickle.operator.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Just enough of PostgreSQL's lexical rules (quotes, dollar quotes, comments) to split user text
 * into statements and find its first keyword. PostgreSQL is the judge of syntax; this class only
 * guarantees that what we hand it is exactly one statement, because a driver would otherwise
 * happily send {@code SELECT 1; DROP TABLE t} as two.
 */
public final class SqlText {
    private SqlText() {
    }

    /** The statements in {@code sql}, without terminating semicolons; blank statements dropped. */
    public static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            int skipped = skipLiteralOrComment(sql, i);
            if (skipped >= 0) {
                i = skipped;
            } else if (sql.charAt(i) == ';') {
                add(out, sql.substring(start, i));
                i++;
                start = i;
            } else {
                i++;
            }
        }
        add(out, sql.substring(start));
        return out;
    }

    /**
     * When a string literal, quoted identifier, dollar-quoted string or comment starts at {@code i}: the index
     * just after it; otherwise -1. One place for the lexical rules every scan of user SQL follows.
     *
     * @throws IllegalArgumentException when it is not terminated
     */
    private static int skipLiteralOrComment(String sql, int i) {
        int n = sql.length();
        char c = sql.charAt(i);
        if (c == '\'') {
            boolean escapes = i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                    && (i < 2 || !isIdentChar(sql.charAt(i - 2)));
            return skipQuoted(sql, i, '\'', escapes);
        }
        if (c == '"') {
            return skipQuoted(sql, i, '"', false);
        }
        if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
            int eol = lineEnd(sql, i);
            return eol < 0 ? n : eol + 1;
        }
        if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
            return skipBlockComment(sql, i);
        }
        if (c == '$' && (i == 0 || !isIdentChar(sql.charAt(i - 1)))) {
            int tagEnd = dollarTagEnd(sql, i);
            if (tagEnd > 0) {
                String tag = sql.substring(i, tagEnd + 1);
                int close = sql.indexOf(tag, tagEnd + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("unterminated dollar-quoted string " + tag);
                }
                return close + tag.length();
            }
        }
        return -1;
    }

    /**
     * {@code sql} ready to be embedded in the text of a JDBC {@code PreparedStatement} that also has
     * parameters: every {@code ?} outside quotes, dollar quotes and comments doubled, which PgJDBC sends
     * as one {@code ?} instead of taking it for a parameter. Without it a query using a jsonb operator
     * ({@code ?}, {@code ?|}, {@code ?&}) failed at every refresh with "No value specified for parameter".
     * The quoting rules are PgJDBC's own (its parser skips the same regions, with
     * {@code standard_conforming_strings} on); {@code SqlTextTest} checks the two agree.
     */
    public static String escapeParameterMarks(String sql) {
        StringBuilder out = new StringBuilder(sql.length() + 8);
        int i = 0;
        while (i < sql.length()) {
            int skipped = skipLiteralOrComment(sql, i);
            if (skipped >= 0) {
                out.append(sql, i, skipped);
                i = skipped;
            } else {
                char c = sql.charAt(i++);
                out.append(c == '?' ? "??" : String.valueOf(c));
            }
        }
        return out.toString();
    }

    /**
     * Whether {@code word} (case-insensitive) appears as a word outside quotes, comments and parentheses, e.g.
     * the {@code INTO} of {@code SELECT … INTO table}.
     */
    public static boolean hasTopLevelWord(String sql, String word) {
        int depth = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            int skipped = skipLiteralOrComment(sql, i);
            char c = sql.charAt(i);
            if (skipped >= 0) {
                i = skipped;
            } else if (c == '(' || c == ')') {
                depth += c == '(' ? 1 : -1;
                i++;
            } else if (isIdentChar(c)) {
                int j = i;
                while (j < n && isIdentChar(sql.charAt(j))) {
                    j++;
                }
                if (depth == 0 && sql.substring(i, j).equalsIgnoreCase(word)) {
                    return true;
                }
                i = j;
            } else {
                i++;
            }
        }
        return false;
    }

    /** The first keyword of {@code statement}, lower case, skipping comments and opening parentheses. */
    public static String firstKeyword(String statement) {
        String s = stripLeadingNoise(statement);
        int j = 0;
        while (j < s.length() && isIdentChar(s.charAt(j))) {
            j++;
        }
        return s.substring(0, j).toLowerCase(Locale.ROOT);
    }

    private static String stripLeadingNoise(String s) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                int eol = lineEnd(s, i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                i = skipBlockComment(s, i);
            } else {
                break;
            }
        }
        return s.substring(i);
    }

    private static void add(List<String> out, String stmt) {
        if (!stripLeadingNoise(stmt).isBlank()) {
            out.add(stmt.trim());
        }
    }

    /**
     * Where a {@code --} comment starting at {@code from} ends: at the first line feed or carriage return, as
     * PostgreSQL's lexer (and PgJDBC's) ends it. Ending it only at a line feed let {@code SELECT 1 --\r; SELECT
     * pg_terminate_backend(…)} pass as one statement, which the driver then sent as two.
     */
    private static int lineEnd(String sql, int from) {
        for (int j = from; j < sql.length(); j++) {
            char c = sql.charAt(j);
            if (c == '\n' || c == '\r') {
                return j;
            }
        }
        return -1;
    }

    private static boolean isIdentChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static int skipQuoted(String s, int open, char quote, boolean backslashEscapes) {
        int i = open + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
                continue;
            }
            if (c == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unterminated " + (quote == '"' ? "quoted identifier" : "string literal"));
    }

    private static int skipBlockComment(String s, int open) {
        int depth = 0;
        int i = open;
        while (i < s.length() - 1) {
            if (s.charAt(i) == '/' && s.charAt(i + 1) == '*') {
                depth++;
                i += 2;
            } else if (s.charAt(i) == '*' && s.charAt(i + 1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated /* comment */");
    }

    /** Index of the closing '$' of a dollar-quote tag starting at {@code i}, or -1. */
    private static int dollarTagEnd(String s, int i) {
        int j = i + 1;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '$') {
                return j;
            }
            if (!(Character.isLetterOrDigit(c) || c == '_') || (j == i + 1 && Character.isDigit(c))) {
                return -1;
            }
            j++;
        }
        return -1;
    }
}
