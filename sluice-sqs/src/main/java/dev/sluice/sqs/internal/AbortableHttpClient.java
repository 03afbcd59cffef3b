package dev.sluice.sqs.internal;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * An {@link SdkHttpClient} that can cut short the calls of one thread, so a source cancelled in
 * the middle of a 20-second long poll stops now instead of when the poll ends. The synchronous
 * SQS client offers no other handle on a call in progress: interrupting the thread does not
 * unblock a socket read.
 *
 * <p>{@link #abort(Thread)} closes the connection of that thread's call in progress and makes
 * its later calls fail at once, so the SDK's own retries of the aborted call end quickly too.
 * Other threads' calls (the settle thread's deletes) are untouched.
 *
 * <p><b>Threads.</b> Thread-safe: requests run on the callers' threads; {@code abort} may be
 * called from any thread.
 */
public final class AbortableHttpClient implements SdkHttpClient {

  private final SdkHttpClient delegate;
  private final Map<ExecutableHttpRequest, Thread> running = new ConcurrentHashMap<>();
  private final Set<Thread> aborted = ConcurrentHashMap.newKeySet();

  public AbortableHttpClient(SdkHttpClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    ExecutableHttpRequest call = delegate.prepareRequest(request);
    return new ExecutableHttpRequest() {
      @Override
      public HttpExecuteResponse call() throws IOException {
        Thread caller = Thread.currentThread();
        running.put(call, caller);
        try {
          if (aborted.contains(caller)) {
            throw new IOException("aborted: the source was cancelled");
          }
          return call.call();
        } finally {
          running.remove(call);
        }
      }

      @Override
      public void abort() {
        call.abort();
      }
    };
  }

  /** Aborts {@code thread}'s call in progress, and fails its later calls at once. */
  public void abort(Thread thread) {
    aborted.add(thread);
    running.forEach((call, caller) -> {
      if (caller == thread) {
        call.abort();
      }
    });
  }

  @Override
  public String clientName() {
    return delegate.clientName();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
