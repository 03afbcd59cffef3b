package dev.sluice.cli.exec;

/**
 * Why an attempt run by a child process failed. Each kind is a failed attempt (so the retry
 * policy and the dead-letter sink see it); the kinds differ in what happens to the child.
 */
public abstract class ExecException extends Exception {

  ExecException(String message) {
    super(message, null, false, false);
  }

  /** The child answered {@code {"error": …}}: the child is fine and keeps running. */
  public static final class ErrorReply extends ExecException {
    ErrorReply(String message) {
      super("the child reported an error: " + message);
    }
  }

  /** The child exited, or its pipes broke, while it had a message: it is restarted. */
  public static final class ChildExited extends ExecException {
    private final int exitCode;

    ChildExited(String message, int exitCode) {
      super(message);
      this.exitCode = exitCode;
    }

    /**
     * True when the child ended by SIGHUP, SIGINT or SIGTERM (exit code 129, 130 or 143, as
     * Java and shells report them): something outside sluice stopped it, e.g. a stop sent to
     * a whole process group or control group, and the message is not to blame.
     */
    boolean stoppedFromOutside() {
      return exitCode == 129 || exitCode == 130 || exitCode == 143;
    }
  }

  /** The child gave no answer within the attempt's time: it is killed and restarted. */
  public static final class TimedOut extends ExecException {
    TimedOut(String message) {
      super(message);
    }
  }

  /** The child's reply broke the protocol (not JSON, extra lines): it is restarted. */
  public static final class ProtocolBroken extends ExecException {
    ProtocolBroken(String message) {
      super(message);
    }
  }

  /** The child could not be started: it is tried again for the next attempt. */
  public static final class StartFailed extends ExecException {
    StartFailed(String message) {
      super(message);
    }
  }

  /** The message cannot be sent in this format; nothing is wrong with the child. */
  public static final class BadPayload extends RuntimeException {
    BadPayload(String message) {
      super(message, null, false, false);
    }
  }
}
