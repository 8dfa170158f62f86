package io.riskstream.cli;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;

/**
 * A flag's duration, written as the configuration writes them ({@code 10 s}, {@code 1 min}, {@code
 * 10s}); anything else, zero or less, is picocli's one-line conversion error.
 */
public final class DurationFlag implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    Duration duration;
    try {
      duration = TimeUtils.parseDuration(value);
    } catch (IllegalArgumentException e) {
      duration = Duration.ZERO;
    }
    if (duration.isZero() || duration.isNegative()) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a positive duration such as 10 s or 1 min");
    }
    return duration;
  }
}
