package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Pipeline.State;
import dev.sluice.PipelineException;
import org.junit.jupiter.api.Test;

class LifecycleStateTest {

  @Test
  void movesForwardOnlyAndRepeatedRequestsAreNoOps() {
    Lifecycle life = new Lifecycle();
    assertThat(life.isRunning()).isTrue();
    assertThat(life.beginDrain()).isTrue();
    assertThat(life.beginDrain()).isFalse();
    assertThat(life.state()).isEqualTo(State.DRAINING);
    assertThat(life.isStopping()).isFalse();
    assertThat(life.beginStop()).isTrue();
    assertThat(life.beginStop()).isFalse();
    assertThat(life.beginDrain()).isFalse();
    assertThat(life.state()).isEqualTo(State.STOPPING);
    life.end(false);
    assertThat(life.state()).isEqualTo(State.COMPLETED);
    assertThat(life.beginStop()).isFalse();
  }

  @Test
  void illegalMovesThrow() {
    Lifecycle running = new Lifecycle();
    assertThatThrownBy(running::beginStop).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not draining");
    assertThatThrownBy(() -> running.end(false)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("RUNNING");

    Lifecycle ended = new Lifecycle();
    ended.beginDrain();
    ended.end(true);
    assertThat(ended.state()).isEqualTo(State.FAILED);
    assertThatThrownBy(() -> ended.end(false)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("FAILED");
  }

  @Test
  void keepsTheFirstFailureAndLetsOneCallerEnd() {
    Lifecycle life = new Lifecycle();
    PipelineException first = new PipelineException("first", null);
    assertThat(life.failed(first)).isTrue();
    assertThat(life.failed(new PipelineException("second", null))).isFalse();
    assertThat(life.failure()).isSameAs(first);
    assertThat(life.claimEnd()).isTrue();
    assertThat(life.claimEnd()).isFalse();
  }
}
