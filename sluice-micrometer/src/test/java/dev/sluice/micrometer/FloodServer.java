package dev.sluice.micrometer;

import java.net.URI;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A real WebSocket server (Jetty, on a free loopback port) that sends {@code messages} texts
 * to each connection at once, then closes it normally (1000) when {@link #closeNow} opens.
 * Public, as Jetty's listener lookup needs.
 */
public final class FloodServer implements AutoCloseable {

  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);
  private final int messages;
  final CountDownLatch closeNow = new CountDownLatch(1);

  FloodServer(int messages) throws Exception {
    this.messages = messages;
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(WebSocketUpgradeHandler.from(server, container ->
        container.addMapping("/*", (request, response, callback) -> new Flood())));
    server.start();
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/flood");
  }

  @Override
  public void close() throws Exception {
    closeNow.countDown();
    server.stop();
  }

  /** The server's side of one connection. */
  public final class Flood implements Session.Listener.AutoDemanding {
    @Override
    public void onWebSocketOpen(Session session) {
      Thread script = new Thread(() -> {
        try {
          for (int i = 1; i <= messages; i++) {
            session.sendText(Integer.toString(i), Callback.NOOP);
          }
          closeNow.await();
          session.close(1000, "done", Callback.NOOP);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "test-flood");
      script.setDaemon(true);
      script.start();
    }
  }
}
