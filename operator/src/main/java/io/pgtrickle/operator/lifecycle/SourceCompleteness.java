package io.pgtrickle.operator.lifecycle;

import io.pgtrickle.dvm.plan.Plan;
import io.pgtrickle.dvm.plan.SourceUse;
import io.pgtrickle.operator.db.QueryDependencies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /** {@code plan} with its sources checked against {@code deps}, the dependencies PostgreSQL recorded. */
    static Plan complete(QueryDependencies deps, String query, Plan plan) {
        if (!plan.isDifferential() && plan.sources().isEmpty()) {
            return plan; // recomputed at every refresh already: nothing can be missed
        }
        // user functions must be IMMUTABLE; PostgreSQL's own STABLE ones are judged by the planner's rules (now(),
        // time zone dependent casts), VOLATILE ones are refused by the query check
        List<String> acting = deps.functions().stream()
                .filter(f -> f.volatility().equals("v") || !f.builtIn() && !f.volatility().equals("i"))
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
            return StreamTableInstall.fullLayout(query, List.of(reason), complete);
        }
        return StreamTableInstall.fullLayout(query, plan.reasons(), complete);
    }

    private static String names(List<QueryDependencies.Relation> relations) {
        return relations.stream().map(r -> r.schema() + "." + r.name()).collect(Collectors.joining(", "));
    }
}
