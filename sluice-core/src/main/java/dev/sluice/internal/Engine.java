package dev.sluice.internal;

import dev.sluice.Pipeline;

public final class Engine {
  private Engine() {
  }

  public static <T> Pipeline start(PipelineConfig<T> config) {
    throw new UnsupportedOperationException("engine under construction");
  }
}
