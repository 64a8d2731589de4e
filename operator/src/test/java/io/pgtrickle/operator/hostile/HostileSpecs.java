package io.pgtrickle.operator.hostile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The hostile-input suite's table of cases (the issue "Safe by default and clear on bad input"), by category, and
 * the known gaps: cases the product does not yet refuse cleanly. {@link HostileInputIT} runs every case the
 * operator's service sees and {@link HostileCliIT} every case through the CLI; each asserts a clear error naming
 * the stream table, nothing executed and nothing left behind. A known gap is run as well and asserted to still
 * fail, so that fixing the product makes the test demand the gap's removal from here.
 */
public final class HostileSpecs {
    private HostileSpecs() {
    }

    /** Every case, in a stable order. */
    public static List<HostileCase> all() {
        List<HostileCase> all = new ArrayList<>();
        all.addAll(StatementCases.statements());
        all.addAll(StatementCases.severalStatements());
        all.addAll(StatementCases.dataModifyingCtes());
        all.addAll(StatementCases.selectInto());
        all.addAll(StatementCases.lockingSelects());
        all.addAll(FunctionCases.volatileFunctions());
        all.addAll(FunctionCases.hiddenFunctions());
        all.addAll(FunctionCases.sleeps());
        all.addAll(FunctionCases.privileges());
        all.addAll(IdentifierCases.identifiers());
        all.addAll(IdentifierCases.storageTables());
        all.addAll(QueryCases.enormous());
        all.addAll(QueryCases.malformed());
        all.addAll(QueryCases.specFields());
        all.addAll(QueryCases.targets());
        all.addAll(FileCases.files());
        all.addAll(FileCases.commandLines());
        Set<String> ids = new HashSet<>();
        for (HostileCase c : all) {
            if (!ids.add(c.id())) {
                throw new IllegalStateException("duplicate case id " + c.id());
            }
        }
        return all;
    }

    /** Cases the operator's service does not yet refuse cleanly, by id, with what happens instead. */
    static final Map<String, String> SERVICE_GAPS = KnownGaps.SERVICE;

    /** Cases the CLI does not yet refuse cleanly, by id, with what happens instead. */
    static final Map<String, String> CLI_GAPS = KnownGaps.CLI;

    /** The cases the operator's service sees. */
    static Stream<HostileCase> serviceCases() {
        return all().stream().filter(c -> c.level() == HostileCase.Level.SPEC);
    }

    /** The service's cases expected to pass. */
    static Stream<HostileCase> servicePassing() {
        return serviceCases().filter(c -> !SERVICE_GAPS.containsKey(c.id()));
    }

    /** The service's known gaps. */
    static Stream<HostileCase> serviceGaps() {
        return serviceCases().filter(c -> SERVICE_GAPS.containsKey(c.id()));
    }

    /** The CLI's cases expected to pass. */
    static Stream<HostileCase> cliPassing() {
        return all().stream().filter(c -> !CLI_GAPS.containsKey(c.id()));
    }

    /** The CLI's known gaps. */
    static Stream<HostileCase> cliGaps() {
        return all().stream().filter(c -> CLI_GAPS.containsKey(c.id()));
    }

    /** Every known gap's id names a case (a renamed case cannot leave a stale gap behind). */
    static void checkGapsNameCases() {
        Set<String> ids = new HashSet<>();
        all().forEach(c -> ids.add(c.id()));
        for (String id : Stream.concat(SERVICE_GAPS.keySet().stream(), CLI_GAPS.keySet().stream()).toList()) {
            if (!ids.contains(id)) {
                throw new AssertionError("known gap " + id + " names no case");
            }
        }
        Set<String> seen = new HashSet<>();
        serviceCases().forEach(c -> seen.add(c.id()));
        for (String id : SERVICE_GAPS.keySet()) {
            if (!seen.contains(id)) {
                throw new AssertionError("service gap " + id + " names a case the service never sees (not SPEC level)");
            }
        }
    }
}
