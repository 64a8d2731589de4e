package io.pgtrickle.operator.hostile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;

/**
 * One hostile input: a StreamTable (as YAML, exactly as a user would write it) or a command line, what its
 * refusal must say, and where it must be refused. {@link Level} says which paths see it: every path
 * ({@code SPEC}: it passes the CRD's schema, so the operator's service must refuse it), the CLI only because the API
 * server's CRD schema refuses it before the operator ({@code CRD}), or the CLI only because it is not a readable
 * StreamTable document at all ({@code FILE}) or is a command line ({@code ARGS}). {@link Role} says whom the
 * stream table is applied as, or where.
 *
 * @param category   the hostile-input category (statements, functions, identifiers, ...)
 * @param id         unique, stable, lower-case id; also the file name ({@code id.yaml}) and, usually, metadata.name
 * @param level      which paths see the case
 * @param role       the database role or target the case is applied with
 * @param subjects   what the error must name (any one of them): metadata.name, or the file (for a file, either)
 * @param yaml       the file's text ({@code FILE}, {@code SPEC} and {@code CRD} cases)
 * @param args       the command line, {@code {db}} standing for the JDBC URL ({@code ARGS} cases)
 * @param query      spec.query as written, for checking the error positions quoted from it, or null
 * @param expect     regular expression (case-insensitive) the error must match: it says what is wrong
 * @param atLoad     the query passes the check and fails only when the load runs it: {@code explain}, which does
 *                   not load, may succeed
 */
public record HostileCase(String category, String id, Level level, Role role, List<String> subjects, String yaml,
                          List<String> args, String query, String expect, boolean atLoad) {

    /** Which paths see a case. */
    public enum Level { SPEC, CRD, FILE, ARGS }

    /** Whom, or where, the case is applied as. */
    public enum Role {
        /** the test database's owner (a superuser, the worst case for what a query could do) */
        OWNER,
        /** a role with only the grants an operator needs, which cannot read the secret tables */
        RESTRICTED,
        /** a database in which pg-trickle was never installed */
        FRESH_DATABASE,
        /** a database that does not exist */
        MISSING_DATABASE,
        /** a port nothing listens on */
        UNREACHABLE
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A StreamTable named {@code id}, storing into {@code out_<id>}, with {@code query}. */
    public static HostileCase query(String category, String id, String query, String expect) {
        return spec(category, id, id, table(id), query, "", expect);
    }

    /** A StreamTable with these fields; {@code table} or {@code query} null leaves the field out. */
    public static HostileCase spec(String category, String id, String name, String table, String query,
                                   String extraSpec, String expect) {
        return new HostileCase(category, id, Level.SPEC, Role.OWNER, List.of(name),
                streamTable(name, table, query, extraSpec), null, query, expect, false);
    }

    /** A file the CLI reads, named by the error through its file name. */
    public static HostileCase file(String category, String id, String yaml, String expect) {
        return new HostileCase(category, id, Level.FILE, Role.OWNER, List.of(id + ".yaml", id), yaml, null, null, expect,
                false);
    }

    /** A command line; {@code subject} is what the error must name. */
    public static HostileCase args(String category, String id, String subject, String expect, String... args) {
        return new HostileCase(category, id, Level.ARGS, Role.OWNER, List.of(subject), null, List.of(args), null,
                expect, false);
    }

    /** This case refused by the CRD's schema already: the CLI must refuse it as the API server would. */
    public HostileCase crd() {
        return new HostileCase(category, id, Level.CRD, role, subjects, yaml, args, query, expect, atLoad);
    }

    /** This case refused by the CRD's schema, reported by the CLI through metadata.name or the file. */
    public HostileCase crdNamedByFile() {
        List<String> s = new java.util.ArrayList<>(subjects);
        s.add(id + ".yaml");
        return new HostileCase(category, id, Level.CRD, role, List.copyOf(s), yaml, args, query, expect, atLoad);
    }

    /** This case applied as {@code r}. */
    public HostileCase as(Role r) {
        return new HostileCase(category, id, level, r, subjects, yaml, args, query, expect, atLoad);
    }

    /** This case failing only at the load (explain, which loads nothing, may accept it). */
    public HostileCase onlyAtLoad() {
        return new HostileCase(category, id, level, role, subjects, yaml, args, query, expect, true);
    }

    /** This case with a RefreshPolicy {@code policy} (spec lines) in the same file, referenced by the StreamTable. */
    public HostileCase withPolicy(String policySpec) {
        String policy = """
                apiVersion: pgtrickle.io/v1alpha1
                kind: RefreshPolicy
                metadata:
                  name: hostile-policy
                spec:
                """ + indent(policySpec, "  ") + "---\n";
        return new HostileCase(category, id, level, role, subjects,
                policy + yaml + "  refreshPolicyRef:\n    name: hostile-policy\n", args, query, expect, atLoad);
    }

    /** The storage table a case's StreamTable names: {@code out_<id>}. */
    public static String table(String id) {
        return "out_" + id.replace('-', '_');
    }

    /** A StreamTable document; strings are written as JSON strings (valid YAML), so any character survives. */
    public static String streamTable(String name, String table, String query, String extraSpec) {
        StringBuilder b = new StringBuilder("""
                apiVersion: pgtrickle.io/v1alpha1
                kind: StreamTable
                metadata:
                """);
        b.append("  name: ").append(quoted(name)).append('\n');
        b.append("spec:\n  target:\n    cluster:\n      name: pg\n");
        if (table != null) {
            b.append("  table: ").append(quoted(table)).append('\n');
        }
        if (query != null) {
            b.append("  query: ").append(quoted(query)).append('\n');
        }
        b.append(indent(extraSpec, "  "));
        return b.toString();
    }

    static String quoted(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String indent(String lines, String prefix) {
        StringBuilder b = new StringBuilder();
        lines.lines().forEach(l -> b.append(prefix).append(l).append('\n'));
        return b.toString();
    }

    @Override
    public String toString() {
        return category + "/" + id;
    }
}
