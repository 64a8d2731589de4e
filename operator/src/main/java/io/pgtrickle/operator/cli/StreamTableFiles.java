package io.pgtrickle.operator.cli;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.pgtrickle.crds.validation.CrdValidator;
import io.pgtrickle.crds.validation.FieldError;
import io.pgtrickle.crds.validation.GoText;
import io.pgtrickle.crds.validation.ObjectNames;
import io.pgtrickle.crds.v1alpha1.RefreshPolicy;
import io.pgtrickle.crds.v1alpha1.StreamTable;
import io.pgtrickle.operator.lifecycle.RefreshTuning;
import io.pgtrickle.operator.lifecycle.StreamTableDefinition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads StreamTable (and RefreshPolicy) resources from YAML files (one or many documents, as for
 * {@code kubectl apply -f}); documents of other kinds are skipped. Every document of ours is checked with the
 * CRD's own rules ({@link CrdValidator}: the schema, the CEL rules and the object-name rules the API server
 * applies), so a file the CLI accepts is one {@code kubectl apply} accepts too. All the problems of the given files
 * are reported at once, each with the file, the document, the field and the API server's message, never as a
 * parser stack trace.
 */
public final class StreamTableFiles {

    /** The StreamTables and RefreshPolicies of a set of files, checked. */
    public record Loaded(List<StreamTable> streamTables, Map<String, RefreshPolicy> policies) {
    }

    private StreamTableFiles() {
    }

    /**
     * A file's StreamTables; {@code path} may be a directory, whose *.yaml/*.yml files are read in name order.
     *
     * @throws IllegalArgumentException listing every problem of the file, or when it holds neither a StreamTable
     *                                  nor a RefreshPolicy (it is empty, or of other kinds only: the wrong file)
     */
    public static List<StreamTable> read(Path path) throws IOException {
        Contents c = contents(List.of(path));
        if (c.streamTables.isEmpty() && c.policies.isEmpty()) {
            throw new IllegalArgumentException(c.nothingOfOurs("StreamTable"));
        }
        return c.streamTables;
    }

    /** The RefreshPolicies in {@code paths}, by name. */
    public static Map<String, RefreshPolicy> policies(List<Path> paths) throws IOException {
        Map<String, RefreshPolicy> out = new HashMap<>();
        for (RefreshPolicy rp : contents(paths).policies) {
            out.put(rp.getMetadata().getName(), rp);
        }
        return out;
    }

    /**
     * The StreamTables and RefreshPolicies of all {@code paths}, read once.
     *
     * @throws IllegalArgumentException listing every problem of every file, or when none holds a StreamTable,
     *                                  naming the files and the kinds they do hold
     */
    public static Loaded load(List<Path> paths) throws IOException {
        Contents c = contents(paths);
        if (c.streamTables.isEmpty()) {
            throw new IllegalArgumentException(c.nothingOfOurs("StreamTable"));
        }
        Map<String, RefreshPolicy> policies = new HashMap<>();
        c.policies.forEach(rp -> policies.put(rp.getMetadata().getName(), rp));
        return new Loaded(List.copyOf(c.streamTables), policies);
    }

    /**
     * The definition of {@code st}, tuned by its {@code refreshPolicyRef} found among {@code policies}.
     *
     * @param namespace the namespace of the command line, used when the resource names none
     * @throws IllegalArgumentException when the spec is unusable, the namespace invalid or the policy missing
     */
    public static StreamTableDefinition definition(StreamTable st, String namespace, Map<String, RefreshPolicy> policies) {
        List<String> bad = ObjectNames.namespaceErrors(namespace);
        if (!bad.isEmpty() && (st.getMetadata().getNamespace() == null || st.getMetadata().getNamespace().isEmpty())) {
            throw new IllegalArgumentException("namespace " + namespace + ": " + String.join("; ", bad));
        }
        StreamTableDefinition def = StreamTableDefinition.of(st, namespace);
        if (st.getSpec().getRefreshPolicyRef() != null) {
            String name = st.getSpec().getRefreshPolicyRef().getName();
            RefreshPolicy rp = policies.get(name);
            if (rp == null) {
                throw new IllegalArgumentException("spec.refreshPolicyRef: RefreshPolicy " + name
                        + " is not in the given files; add it with -f or remove the reference");
            }
            def = def.withTuning(RefreshTuning.of(rp));
        }
        return def;
    }

    /** What the files hold: our resources, checked and bound; the other kinds counted; the problems listed. */
    private static final class Contents {
        final List<Path> files = new ArrayList<>();
        final List<StreamTable> streamTables = new ArrayList<>();
        final List<RefreshPolicy> policies = new ArrayList<>();
        final Map<Path, Map<String, Integer>> kinds = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();

        /** Why there is no {@code wanted} in the files: each file is empty, or the kinds it holds. */
        String nothingOfOurs(String wanted) {
            if (files.isEmpty()) {
                return "no " + wanted + ": no .yaml or .yml file in the given directories";
            }
            List<String> each = new ArrayList<>();
            for (Path f : files) {
                Map<String, Integer> k = kinds.getOrDefault(f, Map.of());
                each.add(f + (k.isEmpty() ? " is empty (or holds only comments)" : " holds " + k.entrySet().stream()
                        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))));
            }
            return "no " + wanted + " to apply: " + String.join("; ", each) + ". pgtrickle reads documents with"
                    + " apiVersion: pgtrickle.io/v1alpha1 and kind: StreamTable (and the RefreshPolicies they use)";
        }
    }

    private static Contents contents(List<Path> paths) throws IOException {
        Contents c = new Contents();
        for (Path path : paths) {
            for (Path file : yamlFiles(path)) {
                c.files.add(file);
                c.kinds.put(file, new LinkedHashMap<>());
                try {
                    for (YamlDocuments.Document d : YamlDocuments.parse(file)) {
                        readDocument(d, c);
                    }
                } catch (IllegalArgumentException e) {
                    c.problems.add(e.getMessage()); // a syntax error: the rest of this file cannot be read
                }
            }
        }
        if (!c.problems.isEmpty()) {
            throw new IllegalArgumentException(c.problems.size() == 1 ? c.problems.get(0)
                    : c.problems.size() + " problems in " + c.files.stream().map(Path::toString)
                    .collect(Collectors.joining(", ")) + ":\n  " + String.join("\n  ", c.problems));
        }
        return c;
    }

    /** {@code path} itself, or the *.yaml and *.yml files of a directory in name order. */
    private static List<Path> yamlFiles(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.list(path)) {
                return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                        .sorted().toList();
            }
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + ": no such file");
        }
        return List.of(path);
    }

    private static void readDocument(YamlDocuments.Document d, Contents c) {
        JsonNode tree = d.tree();
        if (tree == null) {
            return;
        }
        String where = d.file() + ": document " + d.index() + " (line " + d.line() + ")";
        if (!tree.isObject()) {
            c.problems.add(where + ": expected a Kubernetes resource (a YAML mapping with apiVersion, kind, metadata"
                    + " and spec), found " + (tree.isArray() ? "a list" : "a " + tree.getNodeType().toString()
                    .toLowerCase(java.util.Locale.ROOT)));
            return;
        }
        String kind = tree.path("kind").asText("");
        String apiVersion = tree.path("apiVersion").asText("");
        if (kind.isEmpty() || apiVersion.isEmpty()) {
            c.problems.add(where + ": " + (kind.isEmpty() ? "kind" : "apiVersion") + " is missing; every document"
                    + " must be a Kubernetes resource, such as apiVersion: pgtrickle.io/v1alpha1, kind: StreamTable");
            return;
        }
        c.kinds.get(d.file()).merge(kind, 1, Integer::sum);
        Optional<CrdValidator> validator = CrdValidator.forKind(kind);
        if (validator.isEmpty()) {
            return; // another kind, such as a ConfigMap next to the stream tables: not ours to apply
        }
        // Quoted as kubectl does (The StreamTable "x" is invalid), which also keeps escapes out of the terminal.
        String name = tree.path("metadata").path("name").asText("");
        where = d.file() + ": document " + d.index() + " (" + kind + (name.isEmpty() ? "" : " " + GoText.quote(name))
                + ", line " + d.line() + ")";
        if (!apiVersion.equals(validator.get().apiVersion())) {
            c.problems.add(where + ": apiVersion '" + apiVersion + "' is not supported; use "
                    + validator.get().apiVersion());
            return;
        }
        List<FieldError> errors = validator.get().validate(tree);
        for (FieldError e : errors) {
            c.problems.add(where + ": " + e.message());
        }
        if (!errors.isEmpty()) {
            return;
        }
        try {
            if (kind.equals("StreamTable")) {
                c.streamTables.add(YamlDocuments.YAML.treeToValue(tree, StreamTable.class));
            } else {
                c.policies.add(YamlDocuments.YAML.treeToValue(tree, RefreshPolicy.class));
            }
        } catch (IOException e) {
            c.problems.add(where + ": " + (e instanceof JsonMappingException m ? describe(m)
                    : YamlDocuments.firstLine(e.getMessage())));
        }
    }

    static String describe(JsonMappingException e) {
        String field = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field " + field + " (known fields here: " + u.getKnownPropertyIds() + ")";
        }
        if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
            return field + ": '" + f.getValue() + "' is not one of "
                    + Arrays.toString(f.getTargetType().getEnumConstants());
        }
        return field + ": " + YamlDocuments.firstLine(e.getOriginalMessage());
    }
}
