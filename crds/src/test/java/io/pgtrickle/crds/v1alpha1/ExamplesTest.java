package io.pgtrickle.crds.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The manifests in examples/ deserialise into the classes, pass the schema's patterns and survive a round trip. */
class ExamplesTest {

  private static <T> T read(String example, Class<T> type) throws IOException {
    Path file = CrdFiles.examplesDir().resolve(example);
    try (InputStream in = Files.newInputStream(file)) {
      return Serialization.unmarshal(in, type);
    }
  }

  private static <T> T roundTrip(T value, Class<T> type) {
    return Serialization.unmarshal(Serialization.asYaml(value), type);
  }

  @Test
  void orders() throws IOException {
    StreamTable st = read("orders.yaml", StreamTable.class);
    assertEquals("pgtrickle.io/v1alpha1", st.getApiVersion());
    assertEquals("StreamTable", st.getKind());
    assertEquals("order-totals", st.getMetadata().getName());
    StreamTableSpec spec = st.getSpec();
    assertEquals("pg", spec.getTarget().getCluster().getName());
    assertNull(spec.getTarget().getConnectionSecretRef());
    assertEquals("app", spec.getDatabase());
    assertEquals("analytics.order_totals", spec.getTable());
    assertTrue(spec.getQuery().contains("FROM orders"), spec.getQuery());
    assertTrue(spec.getQuery().contains("sum(amount)"), spec.getQuery());
    assertEquals("5s", spec.getSchedule());
    // Not in the file: left unset client-side; the API server applies the schema defaults.
    assertNull(spec.getRefreshMode());
    assertNull(spec.getSuspend());
    assertNull(spec.getReclaimPolicy());
    assertNull(spec.getRefreshPolicyRef());
    assertNull(st.getStatus());
    assertValid(spec);
    assertEquals(spec, roundTrip(st, StreamTable.class).getSpec());
  }

  @Test
  void customers() throws IOException {
    StreamTable st = read("customers.yaml", StreamTable.class);
    assertEquals("customer-orders", st.getMetadata().getName());
    StreamTableSpec spec = st.getSpec();
    assertEquals("pg", spec.getTarget().getCluster().getName());
    assertEquals("app", spec.getDatabase());
    assertEquals("analytics.customer_orders", spec.getTable());
    assertTrue(spec.getQuery().contains("JOIN customers c ON c.id = o.customer_id"), spec.getQuery());
    assertEquals(RefreshMode.AUTO, spec.getRefreshMode());
    assertEquals(ReclaimPolicy.Retain, spec.getReclaimPolicy());
    assertValid(spec);
    assertEquals(spec, roundTrip(st, StreamTable.class).getSpec());
  }

  @Test
  void refreshPolicy() throws IOException {
    RefreshPolicy rp = read("refresh-policy.yaml", RefreshPolicy.class);
    assertEquals("RefreshPolicy", rp.getKind());
    assertEquals("analytics", rp.getMetadata().getName());
    RefreshPolicySpec spec = rp.getSpec();
    assertEquals(0.25, spec.getDifferentialMaxChangeRatio());
    assertEquals(Boolean.TRUE, spec.getLearnFromHistory());
    assertEquals(2, spec.getMaxConcurrentRefreshes());
    assertEquals("2s", spec.getMinBackoff());
    assertEquals("10m", spec.getMaxBackoff());
    assertEquals(5, spec.getMaxConsecutiveErrors());
    assertEquals("30s", spec.getDefaultSchedule());
    assertEquals("5s", spec.getMinSchedule());
    assertEquals(Boolean.TRUE, spec.getAutoBackoff());
    assertEquals(128, spec.getMergeWorkMemMb());
    for (String duration : List.of(spec.getMinBackoff(), spec.getMaxBackoff(), spec.getMinSchedule())) {
      assertTrue(Pattern.compile(CrdPatterns.DURATION).matcher(duration).find(), duration);
    }
    assertTrue(CrdPatternsTest.isSchedule(spec.getDefaultSchedule()));
    assertEquals(spec, roundTrip(rp, RefreshPolicy.class).getSpec());
  }

  /** A status as the operator would write it serialises without nulls and reads back equal. */
  @Test
  void statusRoundTrip() {
    StreamTable st = new StreamTable();
    st.getMetadata().setName("order-totals");
    st.setSpec(new StreamTableSpec());
    st.getSpec().setQuery("SELECT 1");
    StreamTableStatus status = new StreamTableStatus();
    status.setObservedGeneration(3L);
    Condition ready = new ConditionBuilder().withType(Conditions.READY).withStatus("True")
        .withReason(Conditions.REASON_REFRESHED).withMessage("refreshed 12 rows")
        .withLastTransitionTime("2026-01-01T00:00:00Z").withObservedGeneration(3L).build();
    status.setConditions(new java.util.ArrayList<>(List.of(ready)));
    status.setTable("analytics.order_totals");
    status.setEffectiveRefreshMode("DIFFERENTIAL");
    status.setRefreshModeReason("query supports differential maintenance");
    LastRefresh last = new LastRefresh();
    last.setTime("2026-01-01T00:00:00Z");
    last.setDurationMs(42L);
    last.setRows(12L);
    last.setMode("DIFFERENTIAL");
    status.setLastRefresh(last);
    status.setConsecutiveErrors(0);
    LastError error = new LastError();
    error.setTime("2025-12-31T23:59:00Z");
    error.setMessage("relation \"orders\" does not exist");
    error.setHint("create the source table or fix spec.query");
    status.setLastError(error);
    status.setNextRefresh("2026-01-01T00:00:05Z");
    st.setStatus(status);

    String yaml = Serialization.asYaml(st);
    assertFalse(yaml.contains("null"), yaml);
    StreamTable back = Serialization.unmarshal(yaml, StreamTable.class);
    assertEquals(status, back.getStatus());
    assertEquals(st.getSpec(), back.getSpec());
    assertEquals("pgtrickle.io/v1alpha1", back.getApiVersion());
  }

  private static void assertValid(StreamTableSpec spec) {
    assertTrue(Pattern.compile(CrdPatterns.TABLE_NAME).matcher(spec.getTable()).find(), spec.getTable());
    assertTrue(CrdPatternsTest.isSchedule(spec.getSchedule()), spec.getSchedule());
    assertTrue(Pattern.compile("\\S").matcher(spec.getQuery()).find());
  }
}
