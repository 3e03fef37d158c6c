// Launches Amazon's DynamoDB Local bound to one host (it has no option for that: its Jetty server
// listens on every interface) and exits when the Node parent goes away, so no java process outlives
// the local cloud even when the parent is killed with SIGKILL.
//
// Run with the Java source launcher (java -cp DynamoDBLocal.jar LocalhostDynamoDb.java), or compiled once
// and run as a class (what the local cloud does: the source launcher compiles on every start):
//   --host 127.0.0.1 --port 0 [DynamoDB Local options...]
// Prints "SWITCHYARD_DYNAMODB_LISTENING <port>" once it accepts connections.
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LocalhostDynamoDb {
  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 0;
    List<String> ddbArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--host")) host = args[++i];
      else if (args[i].equals("--port")) port = Integer.parseInt(args[++i]);
      else ddbArgs.add(args[i]);
    }
    watchParent();
    // DynamoDB Local rejects port 0, so it gets a placeholder and the connector gets the real one.
    ddbArgs.add("-port");
    ddbArgs.add("8000");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(ddbArgs.toArray(new String[0]));
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ServerConnector serverConnector = (ServerConnector) connector;
      serverConnector.setHost(host);
      serverConnector.setPort(port);
    }
    proxy.start();
    int actual = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    System.out.println("SWITCHYARD_DYNAMODB_LISTENING " + actual);
    System.out.flush();
    proxy.join();
  }

  // stdin is a pipe from the parent: EOF means the parent died or closed it on purpose.
  // The parent-pid poll covers a parent that leaked the pipe to another process.
  private static void watchParent() {
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // ignore input
        }
      } catch (Exception ignored) {
        // treat as EOF
      }
      Runtime.getRuntime().halt(0);
    });
    stdin.setDaemon(true);
    stdin.start();
    ProcessHandle.current().parent().ifPresent(parent -> {
      Thread poll = new Thread(() -> {
        while (parent.isAlive()) {
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
        }
        Runtime.getRuntime().halt(0);
      });
      poll.setDaemon(true);
      poll.start();
    });
  }
}
