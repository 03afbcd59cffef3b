package dev.sluice;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/**
 * The Reactive Streams TCK's subscriber rules against the pipeline itself: the subscriber a
 * started pipeline hands to its source.
 */
public class EngineSubscriberTckTest extends FlowSubscriberBlackboxVerification<Message<Integer>> {

  public EngineSubscriberTckTest() {
    super(new TestEnvironment(500));
  }

  @Override
  public Flow.Subscriber<Message<Integer>> createFlowSubscriber() {
    AtomicReference<Flow.Subscriber<? super Message<Integer>>> captured = new AtomicReference<>();
    Flow.Publisher<Message<Integer>> capturing = captured::set;
    Sluice.from(capturing).workers(1).maxInFlight(4).name("tck")
        .process(i -> i).start();
    @SuppressWarnings("unchecked")
    Flow.Subscriber<Message<Integer>> subscriber =
        (Flow.Subscriber<Message<Integer>>) captured.get();
    return subscriber;
  }

  @Override
  public Message<Integer> createElement(int element) {
    return Message.of(element);
  }
}
