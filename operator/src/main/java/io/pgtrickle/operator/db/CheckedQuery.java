package io.pgtrickle.operator.db;

import java.util.List;

/**
 * A user query that PostgreSQL accepted as one read-only SELECT, with its output columns and the
 * relations it reads (schema-qualified), as found in its plan.
 */
public record CheckedQuery(String sql, List<OutputColumn> columns, List<QualifiedName> sources) {
    public CheckedQuery {
        columns = List.copyOf(columns);
        sources = List.copyOf(sources);
    }
}
