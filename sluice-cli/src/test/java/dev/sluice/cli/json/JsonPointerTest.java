package dev.sluice.cli.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonPointerTest {

  /** The example document of RFC 6901, section 5. */
  private static final Object RFC_DOCUMENT = Json.parse("""
      {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\\\j": 5,
       "k\\"l": 6, " ": 7, "m~n": 8}""");

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(delimiterString = " => ", value = {
      "/foo => [\"bar\",\"baz\"]",
      "/foo/0 => \"bar\"",
      "/ => 0",
      "/a~1b => 1",
      "/c%d => 2",
      "/e^f => 3",
      "/g|h => 4",
      "/i\\j => 5",
      "/k\"l => 6",
      "'/ ' => 7",
      "/m~0n => 8"})
  void resolvesEveryExampleOfRfc6901(String pointer, String expected) {
    assertThat(JsonPointer.parse(pointer).find(RFC_DOCUMENT)).contains(Json.parse(expected));
  }

  @Test
  void theEmptyPointerIsTheWholeDocument() {
    assertThat(JsonPointer.parse("").find(RFC_DOCUMENT)).contains(RFC_DOCUMENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/nope", "/foo/2", "/foo/-", "/foo/01", "/foo/x", "/foo/0/deeper",
      "/a~1b/x"})
  void findsNothingWhereThePointerLeadsNowhere(String pointer) {
    assertThat(JsonPointer.parse(pointer).find(RFC_DOCUMENT)).isEmpty();
  }

  @Test
  void aNullMemberIsFoundAsJsonNull() {
    assertThat(JsonPointer.parse("/x").find(Json.parse("{\"x\":null}")))
        .isEqualTo(Optional.of(Json.NULL));
    assertThat(JsonPointer.parse("/1").find(List.of("a", "b"))).contains("b");
  }

  @Test
  void aPointerMustStartWithASlash() {
    assertThatThrownBy(() -> JsonPointer.parse("foo"))
        .hasMessage("JSON Pointer 'foo' must be empty or start with '/'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a~", "/a~2", "/~x"})
  void aTildeMustBeFollowedByZeroOrOne(String pointer) {
    assertThatThrownBy(() -> JsonPointer.parse(pointer)).hasMessageContaining("~0")
        .hasMessageContaining(pointer);
  }
}
