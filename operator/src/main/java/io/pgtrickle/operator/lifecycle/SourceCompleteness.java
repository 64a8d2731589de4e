package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.SourceUse;
import io.pgtrickle.operator.db.QueryDependencies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Makes the set of tables a stream table depends on complete by construction: the engine's list of sources
 * is checked against PostgreSQL's own record of the query's dependencies ({@link QueryDependencies}).
 *
 * <ul>
 *   <li>An incremental plan that does not read a table the query depends on would never see that table's
 *       changes: it is rejected, and the stream table maintained in FULL with the reason.
 *   <li>A FULL stream table that skips refreshes when none of its sources changed captures every table
 *       PostgreSQL lists (the engine once missed one read inside an {@code EXISTS} within an {@code EXISTS},
 *       and kept stale rows); when the query depends on a view, foreign table or a user function that is not
 *       {@code IMMUTABLE}, or when the dependencies cannot be read, it recomputes at every refresh instead.
 * </ul>
 */
final class SourceCompleteness {
    private static final Logger LOG = LoggerFactory.getLogger(SourceCompleteness.class);

    private SourceCompleteness() {
    }

    static Plan complete(Connection c, String query, Plan plan) throws SQLException {
        if (!plan.isDifferential() && plan.sources().isEmpty()) {
            return plan; // recomputed at every refresh already: nothing can be missed
        }
        QueryDependencies deps;
        try {
            deps = QueryDependencies.of(c, query);
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("08")) {
                throw e;
            }
            LOG.warn("the dependencies of a query could not be read from PostgreSQL ({}): it is recomputed at every"
                    + " refresh when maintained in FULL", e.getMessage());
            return plan.isDifferential() ? plan : StreamTableService.fullLayout(query, plan.reasons(), List.of());
        }
        List<String> acting = deps.functions().stream().filter(f -> !f.volatility().equals("i"))
                .map(QueryDependencies.Function::name).toList();
        Map<Long, SourceUse> sources = new LinkedHashMap<>();
        plan.sources().forEach(s -> sources.put(s.oid(), s));
        List<QueryDependencies.Relation> missed = deps.relations().stream()
                .filter(r -> !sources.containsKey(r.oid())).toList();
        for (QueryDependencies.Relation r : missed) {
            sources.put(r.oid(), new SourceUse(r.oid(), r.schema(), r.name(), r.columns()));
        }
        boolean capturable = deps.onlyTables() && acting.isEmpty()
                && sources.values().stream().noneMatch(s -> s.columns().isEmpty());
        List<SourceUse> complete = capturable ? new ArrayList<>(sources.values()) : List.of();
        if (plan.isDifferential()) {
            if (missed.isEmpty() && acting.isEmpty()) {
                return plan;
            }
            String reason = !missed.isEmpty()
                    ? "the incremental plan does not read " + names(missed) + ", which the query depends on"
                    + " (PostgreSQL's record of the query): it would miss their changes, so it is not used"
                    : "the query calls " + String.join(", ", acting) + ", not IMMUTABLE: its result can change"
                    + " without a change to the tables it reads";
            LOG.warn("incremental plan rejected: {}", reason);
            return StreamTableService.fullLayout(query, List.of(reason), complete);
        }
        return StreamTableService.fullLayout(query, plan.reasons(), complete);
    }

    private static String names(List<QueryDependencies.Relation> relations) {
        return relations.stream().map(r -> r.schema() + "." + r.name()).collect(Collectors.joining(", "));
    }
}
