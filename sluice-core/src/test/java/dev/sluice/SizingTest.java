package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class SizingTest {

  /** Erlang C from its textbook definition, for comparison. */
  private static double erlangCByDefinition(int c, double a) {
    double sum = 0;
    double term = 1;
    for (int k = 0; k < c; k++) {
      sum += term;
      term = term * a / (k + 1);
    }
    double top = term * c / (c - a);                // a^c / c! × c / (c − a)
    return top / (sum + top);
  }

  @Test
  void erlangCMatchesKnownValuesAndItsDefinition() {
    assertThat(Sizing.erlangC(1, 0.5)).isCloseTo(0.5, offset(1e-12));          // M/M/1: ρ
    assertThat(Sizing.erlangC(2, 1.0)).isCloseTo(1.0 / 3, offset(1e-12));
    assertThat(Sizing.erlangC(5, 4.0)).isCloseTo(0.5541, offset(1e-4));
    for (int c = 1; c <= 30; c++) {
      for (double a = 0.1; a < c; a += 0.37) {
        assertThat(Sizing.erlangC(c, a)).isCloseTo(erlangCByDefinition(c, a), offset(1e-9));
      }
    }
    assertThat(Sizing.erlangC(5, 5.0)).isEqualTo(1);
    assertThat(Sizing.erlangC(3, 0)).isZero();
  }

  @Test
  void theMM1MeanWaitIsRhoOverMuMinusLambda() {
    // λ = 0.5/s, S = 1 s: Wq = ρ / (μ − λ) = 0.5 / 0.5 = 1 s
    Sizing.Row row = Sizing.row(1, 0.5, 1.0, 1, 1);
    assertThat(row.meanWait()).isCloseTo(1.0, offset(1e-9));
    assertThat(row.utilisation()).isCloseTo(0.5, offset(1e-12));
    // P(W > t) = ρ e^{−(μ−λ)t}: the p99 solves 0.5 e^{−0.5 t} = 0.01
    assertThat(row.p99Wait()).isCloseTo(Math.log(50) / 0.5, offset(1e-9));
  }

  @Test
  void theFoundingArticlesLoadNeedsFiveWorkersToKeepUpAndSevenForHeadroom() {
    assertThat(Sizing.workersForUtilisation(1, 5, 1.0)).isEqualTo(5);
    assertThat(Sizing.workersForUtilisation(1, 5, 0.8)).isEqualTo(7);
    assertThat(Sizing.row(5, 1, 5, 1, 1).stable()).isFalse();
    Sizing.Row six = Sizing.row(6, 1, 5, 1, 1);
    Sizing.Row seven = Sizing.row(7, 1, 5, 1, 1);
    assertThat(six.p99Wait()).isGreaterThan(seven.p99Wait()).isPositive();
    // regular arrivals and fixed work (the article's own run): nobody waits once c > a
    assertThat(Sizing.row(6, 1, 5, 0, 0).p99Wait()).isZero();
  }

  @Test
  void aLatencyTargetNeedsAtLeastTheWorkersThatKeepUp() {
    int workers = Sizing.workersForP99Wait(1, 5, 1, 1, 1.0);
    assertThat(Sizing.row(workers, 1, 5, 1, 1).p99Wait()).isLessThanOrEqualTo(1.0);
    assertThat(Sizing.row(workers - 1, 1, 5, 1, 1).p99Wait()).isGreaterThan(1.0);
  }

  @Test
  void serviceVariabilityFromMeanAndP99() {
    assertThat(Sizing.serviceVariability(5, 5)).isCloseTo(0, offset(1e-12));
    double cs2 = Sizing.serviceVariability(1, 4.6);     // close to exponential's p99 (ln 100)
    assertThat(cs2).isBetween(0.5, 2.0);
    assertThatThrownBy(() -> Sizing.serviceVariability(5, 4))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
