package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.broker.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedBrokerSmokeTest {
  @Test
  void startsProducesConsumes() throws Exception {
    long t0 = System.nanoTime();
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().start()) {
      System.out.println("start ms " + (System.nanoTime() - t0) / 1_000_000);
      kafka.createTopic("t", 2);
      try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
        p.send(new ProducerRecord<>("t", "k", "v")).get();
      }
      try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", "g", "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
        c.subscribe(List.of("t"));
        int n = 0;
        for (int i = 0; i < 100 && n == 0; i++) {
          ConsumerRecords<String, String> r = c.poll(Duration.ofMillis(200));
          n += r.count();
        }
        assertThat(n).isEqualTo(1);
      }
      System.out.println("total ms " + (System.nanoTime() - t0) / 1_000_000);
    }
  }
}
