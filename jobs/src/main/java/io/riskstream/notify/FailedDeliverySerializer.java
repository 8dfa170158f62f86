package io.riskstream.notify;

import io.riskstream.io.EventJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A message that could not be delivered, as JSON keyed by its id: what, to whom, how often tried,
 * the last error.
 */
public final class FailedDeliverySerializer implements KafkaRecordSerializationSchema<Delivery> {
  private final String topic;

  public FailedDeliverySerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      Delivery d, KafkaSinkContext context, Long timestamp) {
    String json =
        EventJson.MAPPER
            .createObjectNode()
            .put("message_id", d.message.id)
            .put("target", d.message.target)
            .put("route", d.message.route)
            .put("alert_ids", d.message.alertIds)
            .put("text", d.message.text)
            .put("attempts", d.attempts)
            .put("last_error", d.lastError)
            .put("failed_at", java.time.Instant.ofEpochMilli(d.finishedAt).toString())
            .toString();
    return new ProducerRecord<>(
        topic,
        d.message.id.getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8));
  }
}
