/**
 * Sluice's Micrometer bridge ({@code dev.sluice.micrometer}): a pipeline's statistics as
 * Micrometer meters.
 */
module dev.sluice.micrometer {
  requires transitive dev.sluice.core;
  requires transitive micrometer.core;

  exports dev.sluice.micrometer;
}
