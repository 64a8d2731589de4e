package io.pgtrickle.crds.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RefreshPolicies checked by the Java validator: bounds, durations and the backoff order, defaults included. */
class RefreshPolicyValidationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode policy() {
    ObjectNode rp = JSON.createObjectNode().put("apiVersion", "pgtrickle.io/v1alpha1").put("kind", "RefreshPolicy");
    rp.putObject("metadata").put("name", "analytics");
    rp.putObject("spec");
    return rp;
  }

  private static ObjectNode spec(ObjectNode rp) {
    return (ObjectNode) rp.get("spec");
  }

  private static List<String> errors(ObjectNode rp) {
    return CrdValidator.REFRESH_POLICY.validate(rp).stream().map(FieldError::toString).toList();
  }

  @Test
  void anEmptyPolicyTakesTheDefaultsAndIsValid() {
    assertEquals(List.of(), errors(policy()));
  }

  @Test
  void numbersOutOfRangeAreRefusedWithTheBound() {
    ObjectNode rp = policy();
    spec(rp).put("differentialMaxChangeRatio", 1.5).put("maxConcurrentRefreshes", 0).put("maxConsecutiveErrors", -3)
        .put("mergeWorkMemMb", 0);
    assertEquals(List.of(
        "spec.differentialMaxChangeRatio: Invalid value: 1.5: spec.differentialMaxChangeRatio in body should be "
            + "less than or equal to 1",
        "spec.maxConcurrentRefreshes: Invalid value: 0: spec.maxConcurrentRefreshes in body should be greater "
            + "than or equal to 1",
        "spec.maxConsecutiveErrors: Invalid value: -3: spec.maxConsecutiveErrors in body should be greater than "
            + "or equal to 1",
        "spec.mergeWorkMemMb: Invalid value: 0: spec.mergeWorkMemMb in body should be greater than or equal to 1"),
        errors(rp));
    spec(rp).removeAll().put("differentialMaxChangeRatio", -0.01);
    assertEquals(List.of("spec.differentialMaxChangeRatio: Invalid value: -0.01: spec.differentialMaxChangeRatio "
        + "in body should be greater than or equal to 0"), errors(rp));
  }

  @Test
  void aFractionalOrTextualCountIsTheWrongType() {
    ObjectNode rp = policy();
    spec(rp).put("maxConcurrentRefreshes", 1.5).put("maxConsecutiveErrors", "ten");
    assertEquals(List.of("spec.maxConcurrentRefreshes: Invalid value: \"number\": spec.maxConcurrentRefreshes in "
        + "body must be of type integer: \"number\"", "spec.maxConsecutiveErrors: Invalid value: \"string\": "
        + "spec.maxConsecutiveErrors in body must be of type integer: \"string\"", "<nil>: Invalid value: null: "
        + "some validation rules were not checked because the object was invalid; correct the existing errors to "
        + "complete validation"), errors(rp));
    spec(rp).removeAll().put("maxConcurrentRefreshes", 2.0);
    assertEquals(List.of(), errors(rp), "2.0 is the integer 2, as for the API server");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "10 minutes", "1.5h", "-1s", "1w"})
  void aBadDurationIsRefusedWithItsFieldName(String duration) {
    ObjectNode rp = policy();
    spec(rp).put("statementTimeout", duration);
    assertEquals(List.of("spec.statementTimeout: Invalid value: \"string\": statementTimeout must be a duration "
        + "such as 500ms, 30s, 5m, 1h30m or 1d"), errors(rp));
  }

  @Test
  void minBackoffOverTheDefaultMaxBackoffIsRefused() {
    String message = "spec: Invalid value: \"object\": minBackoff must not be greater than maxBackoff";
    ObjectNode rp = policy();
    spec(rp).put("maxBackoff", "500ms"); // the default minBackoff, 1s, is longer: the API server defaults first
    assertEquals(List.of(message), errors(rp));
    spec(rp).put("minBackoff", "1h").put("maxBackoff", "59m59s");
    assertEquals(List.of(message), errors(rp));
    spec(rp).put("maxBackoff", "3600s");
    assertEquals(List.of(), errors(rp));
    spec(rp).put("minBackoff", "2d").put("maxBackoff", "1h"); // days are no CEL duration: not compared
    assertEquals(List.of(), errors(rp));
  }

  @Test
  void aLongDurationIsTooLong() {
    ObjectNode rp = policy();
    spec(rp).put("lockTimeout", "1".repeat(40) + "s");
    assertEquals(List.of("spec.lockTimeout: Too long: may not be more than 32 bytes", "<nil>: Invalid value: null: "
        + "some validation rules were not checked because the object was invalid; correct the existing errors to "
        + "complete validation"), errors(rp));
  }
}
