package dev.sluice.kafka;

import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One member of a consumer group in its own JVM, for {@link KafkaGroupTest}: consumes
 * {@code topic} in {@code group} with BY_KEY ordering, ~2 ms of work per record, and writes
 * {@code NAME|PAYLOAD|PARTITION|OFFSET} to {@code results}, keyed by the record key. Prints
 * READY once started; drains and exits when its stdin closes, printing its source statistics.
 *
 * <p>Arguments: bootstrap topic group name results
 */
public final class GroupMember {

  private GroupMember() {
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    String group = args[2];
    String name = args[3];
    String results = args[4];
    KafkaSource source = KafkaSource.builder().bootstrapServers(bootstrap).topics(topic)
        .group(group).clientId(name).commitInterval(Duration.ofMillis(200))
        .property("session.timeout.ms", "3000")
        .property("heartbeat.interval.ms", "500")
        .build();
    KafkaSink<byte[]> sink = KafkaSink.builder().bootstrapServers(bootstrap).topic(results)
        .property("linger.ms", "1").build();
    Pipeline pipeline = Sluice.from(source).workers(4).ordering(Ordering.BY_KEY)
        .processMessages((m, attempt) -> {
          Thread.sleep(2);                        // the work
          return (name + "|" + new String(m.payload(), StandardCharsets.UTF_8) + "|"
              + m.headers().get(KafkaSource.PARTITION_HEADER) + "|" + m.sequence())
              .getBytes(StandardCharsets.UTF_8);
        })
        .to(sink).start();
    System.out.println("READY");
    System.out.flush();
    while (System.in.read() != -1) {
      // until the test closes our stdin
    }
    pipeline.close();
    source.close();
    KafkaSourceStats stats = source.stats();
    System.out.println("STATS skipped=" + stats.skipped() + " abandoned=" + stats.abandoned()
        + " received=" + stats.received());
    System.out.flush();
    System.exit(0);
  }
}
