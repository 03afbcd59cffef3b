/**
 * Sluice's core: the pipeline API ({@code dev.sluice}) and the source SPI connectors build on
 * ({@code dev.sluice.spi}). The engine ({@code dev.sluice.internal}) is not exported: a
 * connector or an application that reaches for it fails to compile.
 */
module dev.sluice.core {
  requires org.slf4j;

  exports dev.sluice;
  exports dev.sluice.spi;
}
