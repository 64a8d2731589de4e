package io.pgtrickle.operator.db;

import java.util.ArrayList;
import java.util.List;

/**
 * A schema-qualified table name as the user wrote it in {@code spec.table}. Unquoted parts fold to
 * lower case as in PostgreSQL; double-quoted parts keep their case. {@link #sql()} is always quoted.
 */
public record QualifiedName(String schema, String table) {

    public static final String DEFAULT_SCHEMA = "public";

    public QualifiedName {
        if (schema == null || schema.isEmpty() || table == null || table.isEmpty()) {
            throw new IllegalArgumentException("schema and table must be non-empty");
        }
    }

    /**
     * Parses {@code table}, {@code schema.table} or quoted forms like {@code "My Schema"."T"}.
     *
     * @throws IllegalArgumentException with a message that says what is wrong
     */
    public static QualifiedName parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("table name is empty");
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        String s = text.trim();
        boolean expectPart = true;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (expectPart) {
                if (c == '"') {
                    int j = i + 1;
                    while (true) {
                        if (j >= s.length()) {
                            throw new IllegalArgumentException("unterminated quoted identifier in table name '" + text + "'");
                        }
                        char d = s.charAt(j);
                        if (d == '"') {
                            if (j + 1 < s.length() && s.charAt(j + 1) == '"') {
                                cur.append('"');
                                j += 2;
                                continue;
                            }
                            break;
                        }
                        cur.append(d);
                        j++;
                    }
                    if (cur.length() == 0) {
                        throw new IllegalArgumentException("empty quoted identifier in table name '" + text + "'");
                    }
                    i = j + 1;
                } else {
                    int j = i;
                    while (j < s.length() && s.charAt(j) != '.') {
                        char d = s.charAt(j);
                        if (!(Character.isLetterOrDigit(d) || d == '_' || d == '$')) {
                            throw new IllegalArgumentException("invalid character '" + d + "' in table name '" + text
                                    + "': use letters, digits and _ or double-quote the name");
                        }
                        j++;
                    }
                    if (j == i) {
                        throw new IllegalArgumentException("empty part in table name '" + text + "'");
                    }
                    if (Character.isDigit(s.charAt(i))) {
                        throw new IllegalArgumentException("table name part may not start with a digit in '" + text + "'");
                    }
                    cur.append(s, i, j);
                    parts.add(cur.toString().toLowerCase(java.util.Locale.ROOT));
                    cur.setLength(0);
                    i = j;
                    expectPart = false;
                    continue;
                }
                parts.add(cur.toString());
                cur.setLength(0);
                expectPart = false;
            } else {
                if (c != '.') {
                    throw new IllegalArgumentException("unexpected '" + c + "' in table name '" + text + "'");
                }
                expectPart = true;
                i++;
            }
        }
        if (expectPart) {
            throw new IllegalArgumentException("table name '" + text + "' ends with '.'");
        }
        if (parts.size() == 1) {
            return new QualifiedName(DEFAULT_SCHEMA, parts.get(0));
        }
        if (parts.size() == 2) {
            return new QualifiedName(parts.get(0), parts.get(1));
        }
        throw new IllegalArgumentException("table name '" + text + "' has " + parts.size()
                + " parts; write table or schema.table");
    }

    /** {@code "schema"."table"}, safe to splice into SQL. */
    public String sql() {
        return Identifiers.quote(schema) + "." + Identifiers.quote(table);
    }

    /** Human form, e.g. {@code analytics.order_totals}. */
    @Override
    public String toString() {
        return schema + "." + table;
    }
}
