package io.pgtrickle.dvm.plan;

/** How a stream table is kept fresh. */
public enum Mode {
  /** Each refresh applies only the change of the sources since the previous frontier. */
  DIFFERENTIAL,
  /** Each refresh recomputes the whole query. */
  FULL
}
