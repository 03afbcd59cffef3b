package dev.sluice.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import dev.sluice.spi.OverflowPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Messages per second from one MQTT topic: a no-op Sluice pipeline on {@link MqttSource} next to
 * a bare HiveMQ client subscriber that acknowledges each message manually in its callback, in
 * alternating rounds against the same Mosquitto. Each round queues N messages for an offline
 * persistent session first, so the publisher's speed does not count; time runs from connect to
 * the last message handled. Not a test: run it with {@code java -cp ... ThroughputBenchmark N ROUNDS}.
 */
public final class ThroughputBenchmark {

  private ThroughputBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    System.setProperty("test.conf", "persistence false;max_queued_messages 10000000;"
        + "max_queued_bytes 0;queue_qos0_messages true;max_inflight_messages 0");
    try (TestBroker broker = TestBroker.start("ThroughputBenchmark")) {
      for (int qos : new int[] {1, 0}) {
        List<Double> raw = new ArrayList<>();
        List<Double> sluice = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
          raw.add(rate(n, time(broker, "raw", qos, round, n)));
          sluice.add(rate(n, time(broker, "sluice", qos, round, n)));
          System.out.printf(Locale.ROOT, "QoS %d round %d: raw %.0f/s, sluice %.0f/s%n", qos,
              round, raw.get(raw.size() - 1), sluice.get(sluice.size() - 1));
        }
        double r = median(raw);
        double s = median(sluice);
        System.out.printf(Locale.ROOT, "QoS %d median of %d rounds of %d: raw HiveMQ %.0f/s, "
            + "Sluice %.0f/s (%.0f %%)%n", qos, rounds, n, r, s, 100 * s / r);
      }
    }
  }

  private static long time(TestBroker broker, String kind, int qos, int round, int n)
      throws Exception {
    String id = kind + "-q" + qos + "-r" + round;
    String topic = "bench/" + id;
    Mqtt5AsyncClient setup = client(broker, id);
    setup.connectWith().cleanStart(true).sessionExpiryInterval(3600).send().join();
    setup.subscribeWith().topicFilter(topic).qos(MqttQos.fromCode(qos)).send().join();
    setup.disconnect().join();
    try (RawClient in = RawClient.connect(broker)) {
      in.publish(topic, n, qos, i -> "message-" + i);
    }
    CountDownLatch done = new CountDownLatch(n);
    long start = System.nanoTime();
    if (kind.equals("raw")) {
      Mqtt5AsyncClient consumer = client(broker, id);
      consumer.publishes(MqttGlobalPublishFilter.ALL, p -> {
        p.acknowledge();
        done.countDown();
      }, true);
      consumer.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().join();
      done.await(10, TimeUnit.MINUTES);
      long elapsed = System.nanoTime() - start;
      consumer.disconnect().join();
      return elapsed;
    }
    MqttSource source = MqttSource.builder().uri(broker.uri()).topics(topic).qos(qos)
        .clientId(id).qos0Overflow(1024, OverflowPolicy.BLOCK).build();
    Pipeline pipeline = Sluice.from(source).workers(4).maxInFlight(256)
        .process(bytes -> {
          done.countDown();
          return bytes;
        }).start();
    done.await(10, TimeUnit.MINUTES);
    long elapsed = System.nanoTime() - start;
    pipeline.close();
    source.close();
    return elapsed;
  }

  private static Mqtt5AsyncClient client(TestBroker broker, String id) {
    return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
        .serverPort(broker.port()).buildAsync();
  }

  private static double rate(int n, long nanos) {
    return n / (nanos / 1e9);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
