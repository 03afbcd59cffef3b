package dev.sluice.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Message;
import dev.sluice.mqtt.internal.TopicTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration, URIs, redaction and topic templates: no broker needed. */
class MqttConfigTest {

  @Test
  void aSourceUriSetsBrokerFilterSharingSessionAndVersion() {
    MqttSource source = MqttSource.builder()
        .uri("mqtt://broker.example:1884/jobs/%23?qos=2&share=workers&client-id=w-1"
            + "&session-expiry=2h&version=3.1.1&topic=more/%2B")
        .build();
    assertThat(source.filters()).containsExactly("$share/workers/jobs/#", "$share/workers/more/+");
    assertThat(source.endpoint().host()).isEqualTo("broker.example");
    assertThat(source.endpoint().port()).isEqualTo(1884);
    assertThat(source.endpoint().version()).isEqualTo(MqttVersion.V3_1_1);
    assertThat(source.toString()).contains("qos 2").contains("w-1");
  }

  @Test
  void aTrailingHashIsTheMultiLevelWildcardNotAFragment() {
    MqttSource source = MqttSource.builder().uri("mqtt://h/in/#?qos=0&client-id=c").build();
    assertThat(source.filters()).containsExactly("in/#");
    assertThat(source.toString()).contains("qos 0");
  }

  @Test
  void portZeroAndPortsPast65535AreRefusedNotReplacedByTheDefault() {
    for (String uri : new String[] {"mqtt://h:0/t", "mqtts://h:0/t", "mqtt://h:70000/t"}) {
      assertThatThrownBy(() -> MqttEndpoint.of(uri)).as(uri)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("port must be in 1..65535 but was ");
    }
    assertThatThrownBy(() -> MqttEndpoint.builder().port(0).build())
        .hasMessage("port must be in 1..65535 but was 0");
    assertThat(MqttEndpoint.of("mqtt://h/t").port()).isEqualTo(1883);
  }

  @Test
  void mqttsDefaultsToPort8883WithTls() {
    MqttEndpoint endpoint = MqttEndpoint.of("mqtts://secure.example");
    assertThat(endpoint.port()).isEqualTo(8883);
    assertThat(endpoint.tls()).isNotNull();
    assertThat(endpoint.toString()).isEqualTo("mqtts://secure.example:8883");
  }

  @Test
  void passwordsAreRefusedInUrisAndRedactedFromLogs() {
    assertThatThrownBy(() -> MqttEndpoint.of("mqtt://alice:s3cret@h:1883"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("password must not be given in the URI")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> MqttSource.builder().uri("mqtt://alice@h/t?password=s3cret&client-id=c"))
        .hasMessageContaining("password-env").hasMessageNotContaining("s3cret");
    assertThat(MqttEndpoint.redact("mqtt://alice:s3cret@h:1883/t?qos=1&password=x&token=y"))
        .isEqualTo("mqtt://alice:***@h:1883/t?qos=1&password=***&token=***");
  }

  @Test
  void aUserInTheUriNeedsCredentials() {
    assertThatThrownBy(() -> MqttSource.builder().uri("mqtt://alice@h/t?client-id=c").build())
        .hasMessageContaining("names user 'alice' but no credentials were given");
  }

  @Test
  void credentialsFromAFileNeverShowThePassword(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("password");
    Files.writeString(file, "s3cret\n");
    Credentials credentials = Credentials.fromFile("alice", file);
    assertThat(new String(credentials.password())).isEqualTo("s3cret");
    assertThat(credentials.toString()).isEqualTo("Credentials[alice:***]");
    MqttSource source = MqttSource.builder()
        .uri("mqtt://alice@h/t?client-id=c&password-file=" + file).build();
    assertThat(source.endpoint().toString()).isEqualTo("mqtt://alice@h:1883");
  }

  @Test
  void badSettingsAreNamedWithTheirValue() {
    assertThatThrownBy(() -> MqttSource.builder().topics("t").clientId("c").qos(3).build())
        .hasMessage("qos must be 0, 1 or 2 but was 3");
    assertThatThrownBy(() -> MqttSource.builder().topics("t").build())
        .hasMessage("clientId must be set: a persistent session needs a stable client id");
    assertThatThrownBy(() -> MqttSource.builder().topics("t").clientId("c").receiveMaximum(0).build())
        .hasMessage("receiveMaximum must be in 1..65535 but was 0");
    assertThatThrownBy(() -> MqttSource.builder().topics("t").clientId("c")
        .sessionExpiry(Duration.ZERO).build())
        .hasMessage("sessionExpiry must be between 1s and 4294967295s but was PT0S");
    assertThatThrownBy(() -> MqttSource.builder().topics("t").clientId("c").share("a/b").build())
        .hasMessage("share group must be non-empty without '/', '+' or '#' but was 'a/b'");
    assertThatThrownBy(() -> MqttSource.builder().uri("mqtt://h/t?qos=1&colour=red"))
        .hasMessage("unknown parameter 'colour' in mqtt://h/t?qos=1&colour=red");
    assertThatThrownBy(() -> MqttSource.builder().uri("mqtt://h/t?session-expiry=soon"))
        .hasMessageContaining("session-expiry must be a duration like 30s, 15m, 1h or 7d but was 'soon'");
    assertThatThrownBy(() -> MqttSource.builder().uri("http://h/t"))
        .hasMessage("scheme must be mqtt or mqtts but was 'http' in http://h/t");
    assertThatThrownBy(() -> MqttSink.builder().uri("mqtt://h/out/#").connect())
        .hasMessage("topic must not contain '+' or '#' but was 'out/#'");
  }

  @Test
  void topicTemplatesFillKeyTopicAndLevels() {
    Message<String> message = Message.builder("p").key("k1").topic("sensors/kitchen/temp").build();
    assertThat(TopicTemplate.parse("results/{key}").render(message)).isEqualTo("results/k1");
    assertThat(TopicTemplate.parse("out/{topic}").render(message))
        .isEqualTo("out/sensors/kitchen/temp");
    assertThat(TopicTemplate.parse("rooms/{topic.1}/{topic.9}").render(message))
        .isEqualTo("rooms/kitchen/_");
    assertThat(TopicTemplate.parse("r/{key}").render(Message.of("p"))).isEqualTo("r/_");
    assertThatThrownBy(() -> TopicTemplate.parse("r/{colour}"))
        .hasMessageContaining("unknown placeholder {colour}");
  }
}
