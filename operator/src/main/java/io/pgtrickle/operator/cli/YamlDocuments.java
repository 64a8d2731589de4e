package io.pgtrickle.operator.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The YAML documents of one file, parsed strictly: a key twice in one mapping is an error (kubectl silently keeps
 * the last value, which hides the mistake in a file meant to say one thing), and a syntax error is reported with
 * the file, line and column of the problem rather than as a parser stack trace. YAML aliases ({@code *name}) are
 * refused: Jackson's YAML parser reads an alias as the text of its name instead of the anchored value, which
 * would silently turn {@code query: *q} into the query {@code q}.
 */
final class YamlDocuments {

    /** The mapper used to read and bind documents: strict about duplicate and unknown keys. */
    static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY, true);

    /**
     * One document of a file.
     *
     * @param index 1-based position among the file's documents, counting empty ones, as {@code ---} separates them
     * @param line  1-based line where the document's content starts
     * @param tree  the document; null when it is empty or holds only comments
     */
    record Document(Path file, int index, int line, JsonNode tree) {
    }

    private YamlDocuments() {
    }

    /**
     * Every document of {@code file}.
     *
     * @throws IllegalArgumentException when the file is not valid YAML, naming the line and column
     */
    static List<Document> parse(Path file) throws IOException {
        List<Document> docs = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             JsonParser p = new NoAliases(YAML.createParser(in))) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                JsonLocation start = p.currentTokenLocation();
                JsonNode tree = YAML.readTree(p);
                // An empty document (between two ---, or only comments) reads as an empty string.
                boolean empty = tree == null || tree.isNull() || t == JsonToken.VALUE_STRING && tree.asText().isEmpty();
                docs.add(new Document(file, docs.size() + 1, start.getLineNr(), empty ? null : tree));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(syntaxError(file, e));
        }
        return docs;
    }

    /** Refuses alias tokens, which {@link YAMLParser} would hand on as plain text. */
    private static final class NoAliases extends JsonParserDelegate {
        NoAliases(JsonParser p) {
            super(p);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken t = super.nextToken();
            if (delegate() instanceof YAMLParser y && y.isCurrentAlias()) {
                throw new JsonParseException(this, ALIAS + y.getText()
                        + " (a reference to the anchor &" + y.getText() + ") is not supported: write the value out");
            }
            return t;
        }
    }

    private static final String ALIAS = "the YAML alias *";

    /** {@code FILE: line L, column C: not valid YAML: PROBLEM}, from SnakeYAML's problem mark when there is one. */
    private static String syntaxError(Path file, JsonProcessingException e) {
        String problem = firstLine(e.getOriginalMessage());
        int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
        int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            Mark mark = m.getProblemMark();
            line = mark.getLine() + 1;
            column = mark.getColumn() + 1;
            problem = m.getProblem() + (m.getContext() == null ? "" : " (" + m.getContext()
                    + (m.getContextMark() == null ? "" : " that starts at line " + (m.getContextMark().getLine() + 1)
                    + ", column " + (m.getContextMark().getColumn() + 1)) + ")");
        } else if (problem.startsWith("Duplicate field ")) {
            problem = "duplicate key " + problem.substring("Duplicate field ".length()) + ": a key may appear once in a"
                    + " mapping (kubectl apply would silently keep the last value)";
        }
        String where = line > 0 ? ": line " + line + (column > 0 ? ", column " + column : "") : "";
        return file + where + (problem.startsWith(ALIAS) ? ": " : ": not valid YAML: ") + problem;
    }

    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }
}
