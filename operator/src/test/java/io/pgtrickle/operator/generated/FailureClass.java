package io.pgtrickle.operator.generated;

import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sorts a failed check into the bug classes known at the time these tests were written (each being
 * fixed separately), or {@link #UNKNOWN}: a failure nobody has reported yet. The sorting is by the
 * failure's symptom and the query's text, so it is a heuristic: {@link #UNKNOWN} failures are what
 * a person must look at; the others are counted.
 */
enum FailureClass {
    /** The query's result holds equal rows and the stream table shows each once (the counted storage). */
    DUPLICATES,
    /** A jsonb {@code ?}, {@code ?|} or {@code ?&} operator breaks the refresh ("No value specified for parameter"). */
    JSONB_QUESTION_MARK,
    /** A correlated or LATERAL sub-query with an aggregate loses rows or fails with an AssertionError. */
    CORRELATED_AGGREGATE,
    /** A FULL stream table with EXISTS inside EXISTS misses changes of the inner table. */
    FULL_NESTED_EXISTS,
    /** EXISTS or a scalar sub-query as a select-list value, or an ordered-set aggregate, refused at apply. */
    APPLY_REFUSED,
    /** PostgreSQL rejects the query: a bug of the generator. */
    GENERATOR,
    /** None of the above. */
    UNKNOWN;

    private static final Pattern SUBQUERY = Pattern.compile("\\((SELECT |SELECT$)");
    private static final Pattern AGGREGATE = Pattern.compile(
            "\\b(count|sum|avg|min|max|bool_and|bool_or|string_agg|array_agg|percentile_cont)\\(|GROUP BY");
    private static final Pattern OUTER_ALIAS = Pattern.compile("\\b(t\\d+|l\\d+)\\.");
    private static final Pattern QUESTION_MARK = Pattern.compile("\\?[|&]? ");

    static FailureClass of(String sql, String effectiveMode, GenLab.Check check) {
        String detail = check.detail() == null ? "" : check.detail();
        switch (check.kind()) {
            case INVALID_QUERY:
                return GENERATOR;
            case MISMATCH:
                if (hasDuplicates(check.expected())
                        && new HashSet<>(check.expected()).equals(new HashSet<>(check.actual()))) {
                    return DUPLICATES;
                }
                break;
            default:
                break;
        }
        if (detail.contains("No value specified for parameter") && QUESTION_MARK.matcher(sql).find()) {
            return JSONB_QUESTION_MARK;
        }
        String selectList = selectList(sql);
        if (check.kind() == GenLab.Kind.APPLY_ERROR && (sql.contains("percentile_cont") || selectList.contains("(SELECT")
                || selectList.contains("EXISTS (")) && !detail.contains("AssertionError")
                && !detail.contains("syntax error")) {
            return APPLY_REFUSED;
        }
        if (correlatedAggregate(sql) && (check.kind() == GenLab.Kind.MISMATCH || detail.contains("AssertionError"))) {
            return CORRELATED_AGGREGATE;
        }
        if ("FULL".equals(effectiveMode) && check.kind() == GenLab.Kind.MISMATCH && nestedExists(sql)) {
            return FULL_NESTED_EXISTS;
        }
        return UNKNOWN;
    }

    static boolean hasDuplicates(List<String> rows) {
        return new HashSet<>(rows).size() < rows.size();
    }

    /** A sub-query that reads the outer query's aliases and aggregates, or a LATERAL one that aggregates. */
    static boolean correlatedAggregate(String sql) {
        Matcher m = SUBQUERY.matcher(sql);
        while (m.find()) {
            String body = balanced(sql, m.start());
            if (AGGREGATE.matcher(body).find() && (OUTER_ALIAS.matcher(body).find()
                    || sql.substring(0, m.start()).endsWith("LATERAL "))) {
                return true;
            }
        }
        return false;
    }

    static boolean nestedExists(String sql) {
        int first = sql.indexOf("EXISTS (");
        return first >= 0 && balanced(sql, first + 7).substring(1).contains("EXISTS (");
    }

    /** The select list of the main SELECT (the first one outside parentheses: CTE bodies are inside). */
    static String selectList(String sql) {
        int depth = 0;
        boolean quoted = false;
        int start = -1;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0) {
                if (start < 0 && sql.startsWith("SELECT ", i)) {
                    start = i + 7;
                } else if (start >= 0 && sql.startsWith(" FROM ", i)) {
                    return sql.substring(start, i);
                }
            }
        }
        return start < 0 ? "" : sql.substring(start);
    }

    /** The parenthesised text starting at {@code open} (an opening parenthesis), quotes respected. */
    static String balanced(String sql, int open) {
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && --depth == 0) {
                return sql.substring(open, i + 1);
            }
        }
        return sql.substring(open);
    }
}
