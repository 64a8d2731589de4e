package io.pgtrickle.operator.cli;

import io.pgtrickle.crds.v1alpha1.StreamTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code pgtrickle apply -f} makes of files, without a database: the CRD's rules (the API server's) are
 * enforced on every document and each problem is named with its file, document, field and the API server's
 * message; YAML mistakes name a line and column; a file without a StreamTable says what it holds.
 */
class StreamTableFilesTest {
    @TempDir
    Path dir;

    static String st(String name, String specLines) {
        return """
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                  name: %s
                spec:
                %s""".formatted(name, specLines.indent(2));
    }

    Path file(String name, String body) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, body);
        return f;
    }

    String refused(String name, String body) throws Exception {
        Path f = file(name, body);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamTableFiles.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aValidFileIsReadWithItsDefaultsLeftToTheApiServerShape() throws Exception {
        List<StreamTable> read = StreamTableFiles.read(file("ok.yaml", st("order-totals",
                "table: analytics.order_totals\nquery: SELECT 1 AS one\nschedule: 30s\n")));
        assertEquals(1, read.size());
        assertEquals("analytics.order_totals", read.get(0).getSpec().getTable());
    }

    @Test
    void theExamplesAreAccepted() throws Exception {
        Path examples = Path.of("..", "examples");
        assertEquals(2, StreamTableFiles.read(examples).size());
        assertEquals(1, StreamTableFiles.policies(List.of(examples)).size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            uppercase name      | Orders         | table: t                  | metadata.name: Invalid value: "Orders": a lowercase RFC 1123 subdomain
            long name           | LONG300        | table: t                  | must be no more than 253 characters
            unicode table       | orders         | table: ordérs             | spec.table: Invalid value: "ordérs": spec.table in body should match
            quoted table        | orders         | table: '"Orders"'         | spec.table: Invalid value: "\\"Orders\\"": spec.table in body should match
            uppercase table     | orders         | table: analytics.Orders   | spec.table: Invalid value: "analytics.Orders"
            70-character table  | orders         | table: TABLE70            | spec.table in body should match '^[a-z_][a-z0-9_]{0,62}
            system schema       | orders         | table: pg_catalog.pg_class| spec.table: Invalid value: "string": table must not be in a system schema
            own schema          | orders         | table: pgtrickle.mine     | nor in pg-trickle's own (pgtrickle, pgtrickle_changes)
            derived long table  | NAME70         | schedule: 5s              | without spec.table the storage table is named after metadata.name
            empty schedule      | orders         | schedule: ''              | spec.schedule: Invalid value: "string": schedule must be a duration
            bad schedule        | orders         | schedule: every minute    | spec.schedule: Invalid value: "string": schedule must be a duration
            bad mode            | orders         | refreshMode: SOMETIMES    | spec.refreshMode: Unsupported value: "SOMETIMES": supported values: "AUTO"
            unknown field       | orders         | schedul: 5s               | unknown field "spec.schedul"
            typed wrong         | orders         | suspend: maybe            | spec.suspend: Invalid value: "string": spec.suspend in body must be of type boolean
            empty target        | orders         | 'target: {}'              | spec.target: Invalid value: "object": exactly one of cluster or connectionSecretRef must be set
            """)
    void aStreamTableTheApiServerWouldRefuseIsRefusedWithItsMessage(String shape, String name, String extra,
                                                                     String expected) throws Exception {
        name = name.replace("LONG300", "a".repeat(300)).replace("NAME70", "n".repeat(70));
        extra = extra.replace("TABLE70", "t".repeat(70));
        String message = refused("bad.yaml", st(name, "query: SELECT 1 AS one\n" + extra + "\n"));
        assertTrue(message.contains(expected), shape + ": " + message);
        assertTrue(message.contains("document 1 (StreamTable"), shape + ": " + message);
    }

    @Test
    void aQueryOverTheCrdLimitIsRefused() throws Exception {
        String message = refused("big.yaml", st("big", "query: SELECT '" + "x".repeat(65_537) + "'\n"));
        assertTrue(message.contains("spec.query: Too long: may not be more than 65536 bytes"), message);
        String mb = refused("mb.yaml", st("mb", "query: SELECT '" + "x".repeat(1 << 20) + "'\n"));
        assertTrue(mb.contains("spec.query: Too long"), mb.substring(0, 300));
    }

    @Test
    void everyProblemOfEveryDocumentIsReportedAtOnce() throws Exception {
        String policy = """
                apiVersion: pgtrickle.io/v1alpha1
                kind: RefreshPolicy
                metadata:
                  name: slow
                spec:
                  maxBackoff: 500ms
                  maxConcurrentRefreshes: 0
                  statementTimeout: 10 minutes
                """;
        String message = refused("many.yaml", st("Orders", "query: SELECT 1\ntable: pg_toast.t\n") + "---\n" + policy);
        assertTrue(message.startsWith("5 problems in " + dir.resolve("many.yaml") + ":"), message);
        assertTrue(message.contains("document 1 (StreamTable \"Orders\", line 1): metadata.name"), message);
        assertTrue(message.contains("document 1 (StreamTable \"Orders\", line 1): spec.table"), message);
        assertTrue(message.contains("document 2 (RefreshPolicy \"slow\", line 9): spec.maxConcurrentRefreshes: Invalid "
                + "value: 0: spec.maxConcurrentRefreshes in body should be greater than or equal to 1"), message);
        assertTrue(message.contains("spec.statementTimeout: Invalid value: \"string\": statementTimeout must be a "
                + "duration"), message);
        assertTrue(message.contains("spec: Invalid value: \"object\": minBackoff must not be greater than "
                + "maxBackoff"), message);
    }

    @Test
    void aDuplicateKeyIsAnErrorWithItsLine() throws Exception {
        String message = refused("dup.yaml", st("dup", "query: SELECT 1\nschedule: 5s\nschedule: 10s\n"));
        assertTrue(message.contains("line 8"), message);
        assertTrue(message.contains("duplicate key 'schedule'"), message);
    }

    @Test
    void invalidYamlNamesTheLineAndColumn() throws Exception {
        String message = refused("broken.yaml", st("broken", "query: SELECT 1\n") + " oops: [\n");
        assertTrue(message.matches("(?s).*broken\\.yaml: line \\d+, column \\d+: not valid YAML: .*"), message);
        String tab = refused("tab.yaml", "apiVersion: v1\nkind: StreamTable\nspec:\n\tquery: x\n");
        assertTrue(tab.contains("line 4, column 1") && tab.contains("TAB"), tab);
    }

    @Test
    void aYamlAliasIsRefusedRatherThanReadAsTheAnchorName() throws Exception {
        String message = refused("alias.yaml", st("alias", "table: &t orders\nquery: *t\n"));
        assertTrue(message.contains("alias.yaml: line 7, column"), message);
        assertTrue(message.contains("the YAML alias *t (a reference to the anchor &t) is not supported"), message);
    }

    @Test
    void aNameWithTerminalEscapesIsQuotedInTheReport() throws Exception {
        String message = refused("escape.yaml", st("\"\\e[2Jpwned\"", "query: SELECT 1\ntable: t\n"));
        assertFalse(message.contains("\u001b"), message);
        assertTrue(message.contains("(StreamTable \"\\x1b[2Jpwned\", line 1)"), message);
    }

    @Test
    void aDocumentThatIsNoMappingIsRefused() throws Exception {
        String message = refused("list.yaml", "- a\n- b\n");
        assertTrue(message.contains("document 1 (line 1): expected a Kubernetes resource (a YAML mapping"), message);
        assertTrue(refused("nokind.yaml", "apiVersion: v1\nmetadata: {name: x}\n").contains("kind is missing"));
    }

    @Test
    void anEmptyFileSaysItIsEmpty() throws Exception {
        String message = refused("empty.yaml", "");
        assertTrue(message.contains("no StreamTable to apply: " + dir.resolve("empty.yaml") + " is empty"), message);
        assertTrue(refused("comments.yaml", "# nothing\n---\n# nor here\n").contains("is empty"));
    }

    @Test
    void aFileOfOtherKindsNamesTheKindsItHolds() throws Exception {
        String message = refused("app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n---\n"
                + "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\n"
                + "metadata: {name: b}\n");
        assertTrue(message.contains("app.yaml holds 1 Deployment, 2 Service"), message);
        assertTrue(message.contains("kind: StreamTable"), message);
    }

    @Test
    void otherKindsNextToStreamTablesAreSkipped() throws Exception {
        Path f = file("mixed.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
                + st("orders", "query: SELECT 1\n"));
        assertEquals(List.of("orders"), StreamTableFiles.read(f).stream().map(s -> s.getMetadata().getName()).toList());
    }

    @Test
    void loadingOnlyPoliciesSaysThereIsNoStreamTable() throws Exception {
        Path policy = file("policy.yaml", "apiVersion: pgtrickle.io/v1alpha1\nkind: RefreshPolicy\n"
                + "metadata: {name: p}\nspec: {}\n");
        assertEquals(List.of(), StreamTableFiles.read(policy), "a policy file is fine next to StreamTables");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamTableFiles.load(List.of(policy)));
        assertTrue(e.getMessage().contains("no StreamTable to apply: " + policy + " holds 1 RefreshPolicy"),
                e.getMessage());
        Path tables = file("tables.yaml", st("uses-p", "query: SELECT 1\nrefreshPolicyRef: {name: p}\n"));
        StreamTableFiles.Loaded both = StreamTableFiles.load(List.of(policy, tables));
        assertEquals(1, both.streamTables().size());
        assertEquals(List.of("p"), List.copyOf(both.policies().keySet()));
    }

    @Test
    void problemsOfSeveralFilesAreReportedTogether() throws Exception {
        Path a = file("a.yaml", st("a", "query: SELECT 1\nschedule: ''\n"));
        Path b = file("b.yaml", st("b", "query: ' '\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamTableFiles.load(List.of(a, b)));
        assertTrue(e.getMessage().startsWith("2 problems in " + a + ", " + b + ":"), e.getMessage());
    }

    @Test
    void anInvalidNamespaceOnTheCommandLineIsRefused() throws Exception {
        StreamTable st = StreamTableFiles.read(file("ns.yaml", st("orders", "query: SELECT 1\n"))).get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamTableFiles.definition(st, "Team_A", Map.of()));
        assertTrue(e.getMessage().startsWith("namespace Team_A: a lowercase RFC 1123 label"), e.getMessage());
        assertEquals("team-a", StreamTableFiles.definition(st, "team-a", Map.of()).key().namespace());
    }
}
