package io.pgtrickle.operator.db;

/** One column of a query's result: its name and its PostgreSQL type as {@code format_type} prints it. */
public record OutputColumn(String name, String type) {
}
