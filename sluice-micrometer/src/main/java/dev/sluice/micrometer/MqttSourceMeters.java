package dev.sluice.micrometer;

import dev.sluice.mqtt.MqttSource;
import dev.sluice.spi.SourceConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import java.util.concurrent.TimeUnit;

/**
 * An {@link MqttSource}'s connection and acknowledgement window, from
 * {@link MqttSource#stats()}. Loaded only for an {@code MqttSource}: sluice-mqtt is an optional
 * dependency of this module. Thread-safe, as {@code stats()} is.
 */
final class MqttSourceMeters {

  private MqttSourceMeters() {
  }

  static void bind(MeterRegistry registry, Object object, Tags tags) {
    MqttSource source = (MqttSource) object;
    if (!(object instanceof SourceConnection)) {     // else SourceMeters bound it already
      SourceMeters.state(registry, source, s -> s.stats().state(), tags);
    }
    SourceMeters.connector(registry, source, tags,
        s -> s.stats().received(), s -> s.stats().qos0Dropped(), s -> s.stats().rejected(),
        s -> s.stats().reconnects(), s -> s.stats().buffered());
    SourceMeters.counter(registry, "sluice.source.messages.acked",
        "Messages acknowledged to the broker (processed and written, or dead-lettered).",
        source, s -> s.stats().acked(), tags);
    SourceMeters.counter(registry, "sluice.source.messages.nacked",
        "Messages left unacknowledged, for the broker to redeliver.",
        source, s -> s.stats().nacked(), tags);
    SourceMeters.gauge(registry, "sluice.source.unacked",
        "QoS 1/2 messages received and not yet acknowledged (the ack window).",
        source, s -> s.stats().unacked(), tags);
    TimeGauge.builder("sluice.source.unacked.oldest", source, TimeUnit.NANOSECONDS,
            s -> s.stats().oldestUnacked().toNanos())
        .description("How long the oldest unacknowledged message has waited; growing while "
            + "the ack window is full is a stall.").tags(tags).strongReference(true)
        .register(registry);
  }

}
