package dev.sluice.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spi.ConnectionState;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings are checked in build(), with messages naming the setting and its bad value. */
class ConfigurationTest {

  private static WebSocketSource.Builder source() {
    return WebSocketSource.builder("ws://127.0.0.1:1/feed");
  }

  @Test
  void badSourceSettingsAreRefusedAtBuildNamingTheValue() {
    assertThatThrownBy(() -> source().maxMessageSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMessageSize must be >= 1 but was 0");
    assertThatThrownBy(() -> source().bufferSize(-1).build())
        .hasMessage("bufferSize must be >= 1 but was -1");
    assertThatThrownBy(() -> source().maxReconnectAttempts(-2).build())
        .hasMessage("maxReconnectAttempts must be >= 0 but was -2");
    assertThatThrownBy(() -> source().reconnectBackoff(Duration.ZERO, Duration.ofSeconds(1))
        .build()).hasMessage("reconnect initial backoff must be > 0 but was PT0S");
    assertThatThrownBy(() -> source().reconnectBackoff(Duration.ofSeconds(2),
        Duration.ofSeconds(1)).build())
        .hasMessage("reconnect max backoff must be >= initial backoff PT2S but was PT1S");
    assertThatThrownBy(() -> source().connectTimeout(Duration.ZERO).build())
        .hasMessage("connectTimeout must be >= 1ms but was PT0S");
  }

  @Test
  void theUriMustBeWebSocketAndItsQueryIsNeverEchoed() {
    assertThatThrownBy(() -> WebSocketSource.builder("http://example.com/x?key=s3cret").build())
        .hasMessage("uri must start with ws:// or wss:// but was http://example.com/x");
    assertThatThrownBy(() -> WebSocketSink.builder("ftp://example.com/").build())
        .hasMessage("uri must start with ws:// or wss:// but was ftp://example.com/");
  }

  @Test
  void headerSecretsThatCannotBeReadAreNamedWithoutTheirValue(@TempDir Path dir) {
    assertThatThrownBy(() -> source()
        .headerFromEnv("Authorization", "SLUICE_TEST_SURELY_UNSET_VARIABLE").build())
        .hasMessage("header Authorization: environment variable "
            + "SLUICE_TEST_SURELY_UNSET_VARIABLE is not set");
    assertThatThrownBy(() -> source().headerFromFile("Authorization", dir.resolve("none"))
        .build())
        .hasMessageStartingWith("header Authorization: cannot read " + dir.resolve("none"));
    assertThatThrownBy(() -> source().header("Sec-WebSocket-Key", "x").build())
        .hasMessage("header Sec-WebSocket-Key is set by the WebSocket client and cannot be given");
  }

  @Test
  void tlsSettingsMustFitTheUri(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> source().trustStore(dir.resolve("t.p12")).build())
        .hasMessage("a trust store or TLS context needs a wss:// uri but was ws://127.0.0.1:1/feed");
    assertThatThrownBy(() -> WebSocketSource.builder("wss://127.0.0.1:1/feed")
        .trustStore(dir.resolve("t.p12")).sslContext(SSLContext.getDefault()).build())
        .hasMessage("set trustStore or sslContext, not both");
    assertThatThrownBy(() -> WebSocketSource.builder("wss://127.0.0.1:1/feed")
        .trustStore(dir.resolve("missing.p12")).trustStorePassword("x").build())
        .hasMessageStartingWith("trustStore " + dir.resolve("missing.p12") + " cannot be loaded");
  }

  @Test
  void aSourceIsIdleUntilSubscribedAndReportsZeroes() {
    WebSocketSource source = source().build();
    assertThat(source.state()).isEqualTo(ConnectionState.IDLE);
    assertThat(source.stats().received()).isZero();
    assertThat(source.stats().lastCloseCode()).isEqualTo(-1);
    assertThat(source.toString()).isEqualTo("WebSocketSource[ws://127.0.0.1:1/feed, IDLE]");
  }
}
