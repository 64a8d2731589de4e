package io.pgtrickle.operator.db;

/**
 * Quoting of SQL identifiers and literals for the statements the operator generates. Every name
 * the operator puts into SQL goes through here, so a table called {@code "Order Items"} or
 * {@code select} is as safe as {@code orders}.
 */
public final class Identifiers {
    private Identifiers() {
    }

    /** Always-quoted identifier: {@code a"b} becomes {@code "a""b"}. */
    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("empty SQL identifier");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("SQL identifier contains a NUL character");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** A standard-conforming string literal. */
    public static String literal(String value) {
        if (value == null) {
            return "NULL";
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("SQL literal contains a NUL character");
        }
        return "'" + value.replace("'", "''") + "'";
    }
}
