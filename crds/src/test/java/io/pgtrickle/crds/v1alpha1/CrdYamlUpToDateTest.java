package io.pgtrickle.crds.v1alpha1;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRD YAML committed at {@code crds/*.yml} (what {@code kubectl apply -f crds/} and the Helm chart install)
 * must be exactly what the build generates from the Java classes, so that the two cannot drift apart.
 *
 * <p>Set {@code -Dpgtrickle.updateCrds=true} to overwrite the committed copies with the generated ones instead.
 */
class CrdYamlUpToDateTest {

  private static final String REFRESH_HINT = "refresh it from the repository root with:\n"
      + "  mvn -B -q -pl crds process-classes && cp crds/target/classes/META-INF/fabric8/*.yml crds/\n"
      + "(or run the tests with -Dpgtrickle.updateCrds=true), then review and commit the diff.";

  @ParameterizedTest
  @ValueSource(strings = {CrdFiles.STREAM_TABLES, CrdFiles.REFRESH_POLICIES})
  void committedCrdMatchesGenerated(String fileName) throws IOException {
    String generated;
    try (InputStream in = CrdFiles.openGenerated(fileName)) {
      generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path committed = CrdFiles.moduleDir().resolve(fileName);

    if (Boolean.getBoolean("pgtrickle.updateCrds")) {
      Files.writeString(committed, generated, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(committed)) {
      fail("crds/" + fileName + " is missing; " + REFRESH_HINT);
    }
    String current = Files.readString(committed, StandardCharsets.UTF_8).replace("\r\n", "\n");
    if (!generated.equals(current)) {
      fail("crds/" + fileName + " differs from the CRD generated from the Java classes (" + firstDifference(
          generated, current) + "); " + REFRESH_HINT);
    }
  }

  private static String firstDifference(String generated, String committed) {
    String[] g = generated.split("\n", -1);
    String[] c = committed.split("\n", -1);
    for (int i = 0; i < Math.max(g.length, c.length); i++) {
      String gl = i < g.length ? g[i] : "<end of file>";
      String cl = i < c.length ? c[i] : "<end of file>";
      if (!gl.equals(cl)) {
        return "first difference at line " + (i + 1) + ": generated `" + gl + "`, committed `" + cl + "`";
      }
    }
    return "line endings differ";
  }
}
