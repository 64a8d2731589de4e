package io.pgtrickle.operator.hostile;

import java.util.List;

import static io.pgtrickle.operator.hostile.HostileCase.args;
import static io.pgtrickle.operator.hostile.HostileCase.file;

/**
 * Hostile files and command lines, which only the CLI sees (kubectl and the API server refuse them before the
 * operator): broken YAML, empty and comment-only files, wrong kinds and versions, duplicate keys, unknown and
 * mistyped fields, an alias bomb, a valid document followed by a broken one; and NAME arguments carrying
 * quoting attacks.
 */
final class FileCases {
    private FileCases() {
    }

    private static final String HEAD = """
            apiVersion: pgtrickle.io/v1alpha1
            kind: StreamTable
            metadata:
              name: %s
            """;

    private static String doc(String name, String specLines) {
        return HEAD.formatted(name) + "spec:\n" + specLines.indent(2);
    }

    static List<HostileCase> files() {
        String c = "file";
        String yaml = "YAML|line \\d+|column \\d+";
        String none = "no StreamTable|empty|nothing to apply";
        return List.of(
                file(c, "broken-indentation", HEAD.formatted("broken-indentation")
                        + " spec:\n  query: SELECT 1 AS one\n", yaml),
                file(c, "tab-indentation", HEAD.formatted("tab-indentation") + "spec:\n\tquery: SELECT 1 AS one\n", yaml),
                file(c, "unterminated-quote", doc("unterminated-quote", "query: \"SELECT 1 AS one\n"), yaml),
                file(c, "unclosed-flow-mapping", doc("unclosed-flow-mapping", "target: {cluster: {name: pg}\n"
                        + "query: SELECT 1 AS one\n"), yaml),
                file(c, "list-document", "- apiVersion: pgtrickle.io/v1alpha1\n- kind: StreamTable\n",
                        yaml + "|mapping"),
                file(c, "scalar-document", "just some text\n", yaml + "|mapping"),
                file(c, "control-characters", "\u0001\u0002\u0003\u0004 binary \u0007\u0008\n", yaml + "|mapping"),
                file(c, "empty-file", "", none),
                file(c, "comment-only-file", "# nothing here\n---\n# nor here\n", none),
                file(c, "wrong-kind", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wrong-kind\n", none),
                file(c, "wrong-api-version", HEAD.formatted("wrong-api-version").replace("v1alpha1", "v9")
                        + "spec:\n  query: SELECT 1 AS one\n", "apiVersion"),
                file(c, "duplicate-query-key", doc("duplicate-query-key", "query: SELECT 1 AS one\n"
                        + "query: DELETE FROM orders\n"), "duplicate"),
                file(c, "duplicate-metadata-key", HEAD.formatted("duplicate-metadata-key")
                        + "metadata:\n  name: other-name\nspec:\n  query: SELECT 1 AS one\n", "duplicate"),
                file(c, "unknown-field", doc("unknown-field", "querry: SELECT 1 AS one\nquery: SELECT 1 AS one\n"),
                        "unknown field|querry"),
                file(c, "query-is-a-list", doc("query-is-a-list", "query: [SELECT 1 AS one]\n"), "spec\\.query"),
                file(c, "spec-is-a-string", HEAD.formatted("spec-is-a-string") + "spec: SELECT 1 AS one\n", "spec"),
                file(c, "missing-spec", HEAD.formatted("missing-spec"), "spec"),
                file(c, "missing-query", doc("missing-query", "table: out_missing_query\n"), "spec\\.query"),
                file(c, "missing-name", "apiVersion: pgtrickle.io/v1alpha1\nkind: StreamTable\nmetadata: {}\n"
                        + "spec:\n  query: SELECT 1 AS one\n", "metadata\\.name"),
                file(c, "alias-bomb", """
                        a: &a ["x","x","x","x","x","x","x","x","x"]
                        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                        """ + doc("alias-bomb", "query: SELECT 1 AS one\n").replace("apiVersion", "h: *g\napiVersion"),
                        yaml + "|alias"),
                file(c, "valid-then-broken", doc("valid-first", "table: out_valid_first\nquery: SELECT 1 AS one\n")
                        + "---\n" + HEAD.formatted("broken-second") + " spec:\n  query: [\n", yaml),
                file(c, "missing-refresh-policy", doc("missing-refresh-policy", "query: SELECT 1 AS one\n"
                        + "refreshPolicyRef:\n  name: nowhere\n"), "RefreshPolicy nowhere"),
                file(c, "refresh-policy-unknown-field", """
                        apiVersion: pgtrickle.io/v1alpha1
                        kind: RefreshPolicy
                        metadata:
                          name: bad-policy
                        spec:
                          statementTimout: 1s
                        ---
                        """ + doc("refresh-policy-unknown-field", "query: SELECT 1 AS one\n"
                        + "refreshPolicyRef:\n  name: bad-policy\n"), "unknown field|statementTimout"));
    }

    static List<HostileCase> commandLines() {
        String c = "command-line";
        String none = "no stream table";
        return List.of(
                args(c, "refresh-quote-injection", "x\"; DROP TABLE orders; --", none,
                        "refresh", "--db", "{db}", "x\"; DROP TABLE orders; --"),
                args(c, "delete-quote-injection", "baseline-totals'; DROP TABLE orders; --", none,
                        "delete", "--db", "{db}", "baseline-totals'; DROP TABLE orders; --"),
                args(c, "delete-namespace-injection", "baseline-totals", none,
                        "delete", "--db", "{db}", "-n", "default' OR '1'='1", "baseline-totals"),
                args(c, "refresh-300-chars", "n".repeat(300), none, "refresh", "--db", "{db}", "n".repeat(300)),
                args(c, "refresh-path-traversal", "../../etc/passwd", none, "refresh", "--db", "{db}",
                        "../../etc/passwd"),
                args(c, "explain-missing-file", "no-such-dir", "no such file|not found|does not exist",
                        "explain", "--db", "{db}", "-f", "/no-such-dir/hostile.yaml"));
    }
}
