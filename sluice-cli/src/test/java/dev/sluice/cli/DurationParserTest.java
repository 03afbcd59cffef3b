package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationParserTest {

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("0", Duration.ZERO),
        Arguments.of("0s", Duration.ZERO),
        Arguments.of("0.0", Duration.ZERO),
        Arguments.of("17ns", Duration.ofNanos(17)),
        Arguments.of("250us", Duration.ofNanos(250_000)),
        Arguments.of("250µs", Duration.ofNanos(250_000)),
        Arguments.of("500ms", Duration.ofMillis(500)),
        Arguments.of("5s", Duration.ofSeconds(5)),
        Arguments.of("1.5s", Duration.ofMillis(1_500)),
        Arguments.of(".5s", Duration.ofMillis(500)),
        Arguments.of("1m", Duration.ofMinutes(1)),
        Arguments.of("2h", Duration.ofHours(2)),
        Arguments.of(" 5 s ", Duration.ofSeconds(5)),
        Arguments.of("5S", Duration.ofSeconds(5)),
        Arguments.of("PT5S", Duration.ofSeconds(5)),
        Arguments.of("pt0.25s", Duration.ofMillis(250)),
        Arguments.of("PT1M30S", Duration.ofSeconds(90)));
  }

  @ParameterizedTest(name = "\"{0}\" is {1}")
  @MethodSource("durations")
  void readsUnitsZeroAndIso8601(String text, Duration expected) {
    assertThat(DurationParser.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "\"{0}\" is refused")
  @ValueSource(strings = {"", "  ", "5x", "s", "5 ms s", "1,5s", "five seconds", "P", "PTxS"})
  void refusesWhatIsNotADurationNamingTheAcceptedForms(String text) {
    assertThatThrownBy(() -> DurationParser.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("500ms")
        .hasMessageContaining("PT5S");
  }

  @Test
  void refusesABareNumberOtherThanZeroSuggestingAUnit() {
    assertThatThrownBy(() -> DurationParser.parse("5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'5' has no unit: write 5s or 5ms");
  }

  @ParameterizedTest(name = "\"{0}\" is refused as negative")
  @ValueSource(strings = {"-1s", "-0.5ms", "PT-5S", "-PT5S"})
  void refusesNegativeDurations(String text) {
    assertThatThrownBy(() -> DurationParser.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + text + "' is negative: a duration must be >= 0");
  }

  @Test
  void refusesADurationTooLongForNanoseconds() {
    assertThatThrownBy(() -> DurationParser.parse("9999999999h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
  }

  @Test
  void roundsFractionsOfANanosecond() {
    assertThat(DurationParser.parse("1.5ns")).isEqualTo(Duration.ofNanos(2));
  }

  @ParameterizedTest(name = "{0} is written \"{1}\"")
  @MethodSource("formats")
  void formatsInTheLargestShortUnitAndReadsBack(Duration d, String text) {
    assertThat(DurationParser.format(d)).isEqualTo(text);
    assertThat(DurationParser.parse(text)).isEqualTo(d);
  }

  static Stream<Arguments> formats() {
    return Stream.of(
        Arguments.of(Duration.ZERO, "0"),
        Arguments.of(Duration.ofNanos(17), "17ns"),
        Arguments.of(Duration.ofNanos(250_000), "250us"),
        Arguments.of(Duration.ofNanos(1_500_000), "1.5ms"),
        Arguments.of(Duration.ofMillis(500), "500ms"),
        Arguments.of(Duration.ofMillis(1_500), "1.5s"),
        Arguments.of(Duration.ofSeconds(10), "10s"),
        Arguments.of(Duration.ofSeconds(90), "90s"),
        Arguments.of(Duration.ofMinutes(2), "2m"),
        Arguments.of(Duration.ofHours(3), "3h"));
  }
}
