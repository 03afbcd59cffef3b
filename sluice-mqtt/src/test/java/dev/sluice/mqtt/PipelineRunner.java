package dev.sluice.mqtt;

import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A pipeline in a child JVM, for the crash and flood tests: consumes {@code IN} as
 * {@code CLIENT_ID}, sleeps {@code DELAY_MS} per message, publishes the payload to {@code OUT}.
 * Prints READY once subscribed; runs until killed or its stdin closes (then drains).
 *
 * <p>Arguments: PORT CLIENT_ID IN OUT WORKERS MAX_IN_FLIGHT RECEIVE_MAXIMUM DELAY_MS [SHARE_GROUP]
 */
public final class PipelineRunner {

  private PipelineRunner() {
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String clientId = args[1];
    int workers = Integer.parseInt(args[4]);
    int maxInFlight = Integer.parseInt(args[5]);
    int receiveMaximum = Integer.parseInt(args[6]);
    long delay = Long.parseLong(args[7]);
    MqttSource source = MqttSource.builder().uri("mqtt://127.0.0.1:" + port).topics(args[2])
        .clientId(clientId).qos(1).receiveMaximum(receiveMaximum)
        .share(args.length > 8 ? args[8] : null).build();
    MqttSink<Object> sink = MqttSink.builder().uri("mqtt://127.0.0.1:" + port).topic(args[3])
        .clientId(clientId + "-out").connect();
    Pipeline pipeline = Sluice.from(source).workers(workers).maxInFlight(maxInFlight)
        .process(bytes -> {
          if (delay > 0) {
            Thread.sleep(delay);
          }
          return new String(bytes, StandardCharsets.UTF_8);
        })
        .to(sink).start();
    source.subscribed().get(30, TimeUnit.SECONDS);
    System.out.println("READY");
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the parent closes our stdin
    }
    pipeline.drain(Duration.ofSeconds(30));
    source.close();
    System.out.println("DONE " + pipeline.stats().summaryLine());
  }
}
