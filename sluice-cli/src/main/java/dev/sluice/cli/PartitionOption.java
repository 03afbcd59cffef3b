package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.Partition;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --partition I/N} and {@code --partition-key EXPR}: which share of a feed that every
 * copy receives in full this copy processes (see {@link Partition} for the hash). The key is
 * {@code --partition-key} if given, else the {@code --ordering key=EXPR} key (so a key's
 * messages stay in one copy, in order), else the whole line.
 *
 * <p>Stateless; the key function it builds is immutable and runs on the source's thread.
 */
final class PartitionOption {

  private PartitionOption() {
  }

  /** {@code --partition-key} goes with {@code --partition}, and must be a key expression. */
  static void check(Partition partition, String partitionKey) {
    if (partitionKey != null) {
      if (partition == null) {
        throw new IllegalArgumentException("--partition-key goes with --partition I/N");
      }
      parse(partitionKey);
    }
  }

  /**
   * The partition key: {@code partitionKey} parsed, else {@code orderingKey} (the
   * {@code --ordering key=EXPR} function, or null), else the whole payload.
   */
  static Function<Message<String>, String> key(String partitionKey,
      Function<Message<String>, Object> orderingKey) {
    Function<Message<String>, Object> key = partitionKey != null ? parse(partitionKey)
        : orderingKey != null ? orderingKey : Message::payload;
    return message -> {
      Object k = key.apply(message);
      return k == null ? null : k.toString();
    };
  }

  private static KeyExpression parse(String expression) {
    try {
      return KeyExpression.parse(expression);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--partition-key: " + e.getMessage());
    }
  }

  /** Reads {@code I/N} for picocli, naming the form when it is wrong. */
  static final class Converter implements ITypeConverter<Partition> {
    @Override
    public Partition convert(String value) {
      try {
        return Partition.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
