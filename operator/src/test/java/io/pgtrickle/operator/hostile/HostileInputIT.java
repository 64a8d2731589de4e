package io.pgtrickle.operator.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgtrickle.crds.v1alpha1.RefreshPolicy;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.operator.db.JdbcDatabase;
import io.pgtrickle.operator.lifecycle.RefreshTuning;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;
import io.pgtrickle.operator.lifecycle.StreamTableService;
import io.pgtrickle.operator.testing.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hostile-input suite at the operator's level, against a real PostgreSQL: every case that passes the CRD's
 * schema goes through what the reconciler runs ({@code StreamTableDefinition.of}, the RefreshPolicy's tuning,
 * {@link StreamTableService#apply}), and through {@code explain}; each must be refused with an error the
 * reconciler reports on the resource with a reason, a message saying what is wrong and a hint, must execute
 * nothing (no large object, the sentinel session alive, sources, the side-effect table and the sequences
 * unchanged, no exported file) and must leave nothing behind (relations, schemas, triggers, functions, catalog
 * rows as before).
 */
class HostileInputIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static HostileFixture fixture;

    @BeforeAll
    static void fixture() throws Exception {
        fixture = HostileFixture.create(PG.database(), "hostile_svc");
    }

    @AfterAll
    static void close() throws Exception {
        fixture.close();
    }

    static Stream<HostileCase> passing() {
        return HostileSpecs.servicePassing();
    }

    @Test
    void theSuiteHasAtLeastAHundredCasesInEveryCategoryOfTheIssue() {
        HostileSpecs.checkGapsNameCases();
        List<HostileCase> all = HostileSpecs.all();
        assertTrue(all.size() >= 100, all.size() + " cases");
        for (String category : List.of("statements", "several-statements", "data-modifying-cte", "select-into",
                "volatile-function", "sleep", "privilege", "identifier", "storage-table", "enormous", "malformed",
                "target", "file")) {
            assertTrue(all.stream().filter(c -> c.category().equals(category)).count() >= 3, category);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passing")
    void isRefusedClearlyExecutingNothingAndLeavingNothing(HostileCase c) throws Exception {
        List<String> problems = run(c);
        if (!problems.isEmpty()) {
            fail(c + ":\n  " + String.join("\n  ", problems));
        }
    }

    /** Each known gap still fails: once the product refuses it cleanly, this demands its removal from the list. */
    @TestFactory
    Stream<DynamicTest> knownGapsStillFail() {
        return HostileSpecs.serviceGaps().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            List<String> problems = run(c);
            System.out.println("KNOWN GAP (service) " + c + ": " + HostileSpecs.SERVICE_GAPS.get(c.id()) + "\n  actual: "
                    + String.join("\n  ", problems));
            assertTrue(!problems.isEmpty(), c + " is refused cleanly now: remove it from HostileSpecs.SERVICE_GAPS");
        }));
    }

    /** Runs {@code c} through the definition, apply and explain; returns every problem found. */
    private static List<String> run(HostileCase c) throws Exception {
        DatabaseSnapshot before = fixture.before(c.role());
        List<String> problems = new ArrayList<>();
        DatabaseSnapshot after = null;
        try {
            StreamTableDefinition def;
            try {
                def = definition(c);
            } catch (RuntimeException e) {
                problems.addAll(ErrorChecks.service(c, "definition", e));
                def = null;
            }
            if (def != null) {
                StreamTableService service = new StreamTableService(JdbcDatabase.fromUrl(fixture.url(c.role())));
                StreamTableDefinition d = def;
                problems.addAll(ErrorChecks.service(c, "apply", thrown(() -> service.apply(d))));
                Throwable explain = thrown(() -> service.explain(d));
                if (explain != null || !c.atLoad()) {
                    problems.addAll(ErrorChecks.service(c, "explain", explain));
                }
            }
            after = fixture.snapshot(c.role());
            String diff = after.diff(before);
            if (!diff.isEmpty()) {
                problems.add("the database changed:" + diff);
            }
        } finally {
            fixture.restore(c, before, after);
        }
        return problems;
    }

    /** What the reconciler builds from the resource: the definition, tuned by the RefreshPolicy in the same file. */
    static StreamTableDefinition definition(HostileCase c) throws Exception {
        StreamTable st = null;
        RefreshPolicy policy = null;
        for (JsonNode doc : YAML.readerFor(JsonNode.class).readValues(c.yaml()).readAll().stream()
                .map(JsonNode.class::cast).toList()) {
            if (doc.path("kind").asText().equals("StreamTable")) {
                st = YAML.treeToValue(doc, StreamTable.class);
            } else {
                policy = YAML.treeToValue(doc, RefreshPolicy.class);
            }
        }
        assertTrue(st != null, c + " has a StreamTable");
        StreamTableDefinition def = StreamTableDefinition.of(st, "default");
        return policy == null ? def : def.withTuning(RefreshTuning.of(policy));
    }

    @FunctionalInterface
    interface Call {
        Object run() throws Exception;
    }

    private static Throwable thrown(Call call) {
        try {
            call.run();
            return null;
        } catch (Exception | StackOverflowError e) {
            return e;
        }
    }
}
