package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyExpressionTest {

  private static Message<String> message(String payload, String topic) {
    return Message.builder(payload).topic(topic).build();
  }

  @Test
  void lineIsTheWholePayload() {
    assertThat(KeyExpression.parse("line").apply(message("a b", null))).isEqualTo("a b");
  }

  @Test
  void topicAndItsLevelsCountingFromZero() {
    Message<String> m = message("x", "sensors/kitchen/temp");

    assertThat(KeyExpression.parse("topic").apply(m)).isEqualTo("sensors/kitchen/temp");
    assertThat(KeyExpression.parse("topic[0]").apply(m)).isEqualTo("sensors");
    assertThat(KeyExpression.parse("topic[1]").apply(m)).isEqualTo("kitchen");
    assertThat(KeyExpression.parse("topic[3]").apply(m)).isNull();
    assertThat(KeyExpression.parse("topic[1]").apply(message("x", null))).isNull();
  }

  @Test
  void aJsonPointerTakesStringsAsTheyAreAndOtherValuesAsJson() {
    KeyExpression user = KeyExpression.parse("json:/user/id");

    assertThat(user.apply(message("{\"user\":{\"id\":\"u7\"}}", null))).isEqualTo("u7");
    assertThat(user.apply(message("{\"user\":{\"id\":42}}", null))).isEqualTo("42");
    assertThat(user.apply(message("{\"user\":{\"id\":[1,\"a\"]}}", null)))
        .isEqualTo("[1,\"a\"]");
  }

  @Test
  void aPayloadWithoutTheKeyHasNoKey() {
    KeyExpression user = KeyExpression.parse("json:/user");

    assertThat(user.apply(message("{\"other\":1}", null))).isNull();
    assertThat(user.apply(message("not json", null))).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"payload", "topic[x]", "topic[-1]", "json:user", "json:/a~2", ""})
  void aBadExpressionNamesItselfAndTheForms(String expression) {
    assertThatThrownBy(() -> KeyExpression.parse(expression))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad key expression '" + expression + "'");
  }
}
