package io.pgtrickle.crds.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Values print as Go's fmt prints them in the API server's messages. */
class GoTextTest {

  @Test
  void floatsPrintLikeGosPercentV() {
    assertEquals("1", GoText.number(1.0));
    assertEquals("0", GoText.number(0.0));
    assertEquals("0.15", GoText.number(0.15));
    assertEquals("-0.01", GoText.number(-0.01));
    assertEquals("100000", GoText.number(100_000.0));
    assertEquals("1e+06", GoText.number(1_000_000.0));
    assertEquals("1.5e+07", GoText.number(15_000_000.0));
    assertEquals("0.0001", GoText.number(0.0001));
    assertEquals("1e-05", GoText.number(0.00001));
  }

  @Test
  void stringsQuoteLikeGosPercentQ() {
    assertEquals("\"Orders\"", GoText.quote("Orders"));
    assertEquals("\"\\\"orders\\\"\"", GoText.quote("\"orders\""));
    assertEquals("\"ordérs\"", GoText.quote("ordérs"));
    assertEquals("\"a\\nb\\t\\\\\"", GoText.quote("a\nb\t\\"));
    assertEquals("\"\\x00\\u200b\"", GoText.quote("\u0000\u200b"));
  }
}
