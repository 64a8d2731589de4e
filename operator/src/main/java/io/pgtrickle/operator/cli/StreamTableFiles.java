package io.pgtrickle.operator.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads StreamTable (and RefreshPolicy) resources from YAML files (one or many documents, as for
 * {@code kubectl apply -f}); documents of other kinds are skipped. Mistakes are reported with the file, the document and
 * the field, never as a parser stack trace.
 */
public final class StreamTableFiles {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private StreamTableFiles() {
    }

    /** A file's StreamTables; {@code path} may be a directory, whose *.yaml/*.yml files are read in name order. */
    public static List<StreamTable> read(Path path) throws IOException {
        return read(path, StreamTable.class);
    }

    /** The RefreshPolicies in {@code paths}, by name. */
    public static Map<String, RefreshPolicy> policies(List<Path> paths) throws IOException {
        Map<String, RefreshPolicy> out = new HashMap<>();
        for (Path p : paths) {
            for (RefreshPolicy rp : read(p, RefreshPolicy.class)) {
                out.put(rp.getMetadata().getName(), rp);
            }
        }
        return out;
    }

    /**
     * The definition of {@code st}, tuned by its {@code refreshPolicyRef} found among {@code policies}.
     *
     * @throws IllegalArgumentException when the spec is unusable or the policy is missing
     */
    public static StreamTableDefinition definition(StreamTable st, String namespace, Map<String, RefreshPolicy> policies) {
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

    private static <T> List<T> read(Path path, Class<T> type) throws IOException {
        String kind = type.getSimpleName();
        if (Files.isDirectory(path)) {
            List<T> all = new ArrayList<>();
            try (Stream<Path> files = Files.list(path)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                        .sorted().toList()) {
                    all.addAll(read(f, type));
                }
            }
            return all;
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + ": no such file");
        }
        List<T> out = new ArrayList<>();
        String[] docs = Files.readString(path).split("(?m)^---\\s*$");
        for (int i = 0; i < docs.length; i++) {
            if (docs[i].lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                continue;
            }
            String where = path + (docs.length > 1 ? " (document " + (i + 1) + ")" : "");
            JsonNode tree;
            try {
                tree = YAML.readTree(docs[i]);
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": not valid YAML: " + firstLine(e.getMessage()));
            }
            if (tree == null || !tree.isObject()) {
                throw new IllegalArgumentException(where + ": expected a Kubernetes resource (a YAML mapping)");
            }
            if (!kind.equals(tree.path("kind").asText())) {
                continue;
            }
            String apiVersion = tree.path("apiVersion").asText();
            if (!apiVersion.equals("pgtrickle.io/v1alpha1")) {
                throw new IllegalArgumentException(where + ": apiVersion '" + apiVersion
                        + "' is not supported; use pgtrickle.io/v1alpha1");
            }
            try {
                out.add(YAML.treeToValue(tree, type));
            } catch (JsonMappingException e) {
                throw new IllegalArgumentException(where + ": " + describe(e));
            }
        }
        return out;
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
        return field + ": " + firstLine(e.getOriginalMessage());
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }
}
