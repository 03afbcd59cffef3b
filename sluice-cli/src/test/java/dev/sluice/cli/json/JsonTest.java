package dev.sluice.cli.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  @Test
  void readsEveryKindOfValue() {
    Object value = Json.parse(" {\"s\":\"x\",\"i\":-12,\"d\":1.5e2,\"t\":true,\"f\":false,"
        + "\"n\":null,\"a\":[1,[],{}],\"o\":{\"k\":\"v\"}} ");

    assertThat(value).isEqualTo(Map.of("s", "x", "i", -12L, "d", new BigDecimal("1.5e2"),
        "t", true, "f", false, "n", Json.NULL, "a", List.of(1L, List.of(), Map.of()),
        "o", Map.of("k", "v")));
  }

  @Test
  void keepsMemberOrder() {
    @SuppressWarnings("unchecked")
    Map<String, Object> object = (Map<String, Object>) Json.parse("{\"b\":1,\"a\":2,\"c\":3}");

    assertThat(object.keySet()).containsExactly("b", "a", "c");
  }

  @Test
  void integersTooLongForALongStayExact() {
    assertThat(Json.parse("123456789012345678901234567890"))
        .isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void decodesEveryEscapeIncludingSurrogatePairs() {
    assertThat(Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\""))
        .isEqualTo("\" \\ / \b \f \n \r \t é 😀");
  }

  @Test
  void writesStringsSoTheyReadBack() {
    String tricky = "quote \" backslash \\ newline \n tab \t nul \u0000 bell \u0007 é 😀 \u2028";

    String written = Json.quote(tricky);

    assertThat(written).doesNotContain("\n").contains("\\u0000", "\\u0007", "\\u2028");
    assertThat(Json.parse(written)).isEqualTo(tricky);
  }

  @Test
  void writesWhatItReadsBackToTheSameValue() {
    String text = "{\"a\":[1,2.50,\"x\",null,true,{\"b\":-0.0001}],\"c\":{}}";
    Object value = Json.parse(text);

    assertThat(Json.parse(Json.write(value))).isEqualTo(value);
    assertThat(Json.write(value)).isEqualTo(text);
  }

  @Test
  void writesJavaMapsAndNulls() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("x", null);
    m.put("y", Arrays.asList(1L, "two"));

    assertThat(Json.write(m)).isEqualTo("{\"x\":null,\"y\":[1,\"two\"]}");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "'' | expected a value but found end of input",
      "{ | expected a member name in double quotes but found end of input",
      "{\"a\" 1} | expected ':' but found '1'",
      "[1,] | expected a value but found ']'",
      "[1 2] | expected ',' or ']' but found '2'",
      "01 | expected end of input but found '1'",
      "1. | expected a digit after '.'",
      "-x | expected a digit",
      "\"abc | expected a closing '\"'",
      "\"\\x\" | one of",
      "\"\\u12g4\" | expected a hex digit",
      "tru | expected a value",
      "{} x | expected end of input but found 'x'"})
  void rejectsMalformedTextSayingWhereAndWhat(String text, String message) {
    assertThatThrownBy(() -> Json.parse(text))
        .isInstanceOf(JsonException.class)
        .hasMessageStartingWith("invalid JSON at offset ")
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"a\u0001b\"", "\"line\nbreak\""})
  void rejectsRawControlCharactersInStrings(String text) {
    assertThatThrownBy(() -> Json.parse(text)).hasMessageContaining("control character");
  }

  @Test
  void refusesNestingDeepEnoughToOverflowTheStack() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);

    assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("levels of nesting");
  }
}
