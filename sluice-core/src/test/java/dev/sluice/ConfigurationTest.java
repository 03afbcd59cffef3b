package dev.sluice;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad configuration is refused when built, naming the setting and its value. */
class ConfigurationTest {

  private static PipelineBuilder<Integer, Integer> builder() {
    return Sluice.from(Sources.fromIterable(List.of(1, 2, 3))).process(i -> i);
  }

  @Test
  void zeroWorkersIsRefused() {
    assertThatThrownBy(() -> builder().workers(0).start())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("workers must be >= 1 but was 0");
  }

  @Test
  void aNonPositiveInFlightCapIsRefused() {
    assertThatThrownBy(() -> builder().maxInFlight(-3).start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInFlight must be >= 1 but was -3");
  }

  @Test
  void negativeDurationsAreRefused() {
    assertThatThrownBy(() -> builder().timeout(Duration.ofSeconds(-1)).start())
        .hasMessage("timeout must be >= 0 but was PT-1S");
    assertThatThrownBy(() -> builder().drainTimeout(Duration.ofMillis(-5)).start())
        .hasMessage("drainTimeout must be >= 0 but was PT-0.005S");
    assertThatThrownBy(() -> builder().onStats(Duration.ofMillis(1), s -> { }).start())
        .hasMessage("stats interval must be >= 10ms but was PT0.001S");
  }

  @Test
  void aPipelineWithoutAProcessorIsRefused() {
    assertThatThrownBy(() -> Sluice.from(Sources.fromIterable(List.of(1))).to(Sinks.discard()).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no processor: call process(...) before start()");
  }

  @Test
  void aBuilderStartsOnlyOnePipeline() throws Exception {
    PipelineBuilder<Integer, Integer> builder = builder();
    builder.start().awaitCompletion();
    assertThatThrownBy(builder::start).isInstanceOf(IllegalStateException.class)
        .hasMessage("this builder already started a pipeline");
  }

  @Test
  void badRetryPoliciesAreRefused() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0).build())
        .hasMessage("maxAttempts must be >= 1 but was 0");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5).build())
        .hasMessage("jitter must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5).build())
        .hasMessage("multiplier must be >= 1 but was 0.5");
    assertThatThrownBy(() -> RetryPolicy.builder()
        .backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
        .hasMessage("maxBackoff must be >= initialBackoff (PT2S) but was PT1S");
  }

  @Test
  void aGeneratorWithANegativeCountIsRefused() {
    assertThatThrownBy(() -> Sources.generate(-1, Duration.ofSeconds(1), i -> i))
        .hasMessage("count must be >= 0 but was -1");
  }
}
