package io.riskstream.notify;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * A message that could not be delivered, as its row of {@code notification_dead_letters}: what, to
 * whom, for which alerts, how often tried, the last error.
 */
public final class NotificationDeadLetters implements JdbcStatementBuilder<Delivery> {
  public static final String TABLE = "notification_dead_letters";

  public static final String UPSERT =
      "INSERT INTO "
          + TABLE
          + " (message_id, target, route, alert_ids, message, attempts, last_error, failed_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO UPDATE SET"
          + " target = EXCLUDED.target, route = EXCLUDED.route, alert_ids = EXCLUDED.alert_ids,"
          + " message = EXCLUDED.message, attempts = EXCLUDED.attempts,"
          + " last_error = EXCLUDED.last_error, failed_at = EXCLUDED.failed_at";

  @Override
  public void accept(PreparedStatement statement, Delivery d) throws SQLException {
    statement.setString(1, d.message.id);
    statement.setString(2, d.message.target);
    statement.setString(3, d.message.route);
    statement.setArray(
        4, statement.getConnection().createArrayOf("text", d.message.alertIds.split(",")));
    statement.setString(5, d.message.text);
    statement.setInt(6, d.attempts);
    statement.setString(7, d.lastError);
    statement.setTimestamp(8, new Timestamp(d.finishedAt));
  }
}
