package io.riskstream.io;

import static io.riskstream.testing.TestEvents.BEGINNING;
import static io.riskstream.testing.TestEvents.payment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.avro.Bill;
import io.riskstream.avro.Payment;
import io.riskstream.avro.PaymentStatus;
import io.riskstream.kafka.EventTimeBounds;
import io.riskstream.kafka.RecordCheck;
import io.riskstream.serde.BadRecordException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJsonTest {
  @Test
  void writesTheSpecsJsonAndReadsItBack() throws Exception {
    Payment p = payment("PE-1", "O-1", PaymentStatus.PAID, "1500", BEGINNING).build();

    String json = EventJson.toJsonLine(p);

    assertThat(json)
        .isEqualTo(
            "{\"event_id\":\"PE-1\",\"order_no\":\"O-1\",\"merchant_id\":\"M-1\",\"cwid\":\"CW-1\",\"user_id\":\"U-1\","
                + "\"account_id\":\"WA-CW-1\",\"kind\":\"COLLECT\",\"status\":\"PAID\",\"amount\":\"1500.00\","
                + "\"currency\":\"INR\",\"utr\":\"412345678901\",\"channel\":\"UPI\",\"payer_vpa\":\"user1@okhdfc\","
                + "\"payee_vpa\":null,\"ip\":\"49.36.0.1\",\"device_id\":null,\"event_time\":\"2026-11-21T10:00:00Z\"}");
    assertThat(EventJson.fromJson(EventJson.MAPPER.readTree(json), Payment.class)).isEqualTo(p);
  }

  @Test
  void acceptsNumbersOffsetsEpochMillisAndMissingNullables() throws Exception {
    String json =
        "{\"event_id\":\"PE-1\",\"order_no\":\"O-1\",\"merchant_id\":\"M-1\",\"kind\":\"COLLECT\","
            + "\"status\":\"CREATED\",\"amount\":1500,\"event_time\":\"2026-11-21T15:30:00+05:30\"}";
    Payment p = EventJson.fromJson(EventJson.MAPPER.readTree(json), Payment.class);
    String millis =
        json.replace("\"2026-11-21T15:30:00+05:30\"", String.valueOf(BEGINNING.toEpochMilli()));

    assertThat(p.getAmount()).isEqualByComparingTo("1500.00");
    assertThat(p.getAmount().scale()).isEqualTo(2);
    assertThat(p.getCurrency()).isEqualTo("INR");
    assertThat(p.getUtr()).isNull();
    assertThat(p.getEventTime()).isEqualTo(BEGINNING);
    assertThat(EventJson.fromJson(EventJson.MAPPER.readTree(millis), Payment.class).getEventTime())
        .isEqualTo(BEGINNING);
  }

  @Test
  void namesWhatIsWrong() {
    assertThatThrownBy(
            () ->
                EventJson.fromJson(
                    EventJson.MAPPER.readTree("{\"event_id\":\"x\"}"), Payment.class))
        .isInstanceOf(BadRecordException.class)
        .hasMessage("missing order_no");
    assertThatThrownBy(
            () ->
                EventJson.fromJson(
                    EventJson.MAPPER.readTree(
                        "{\"event_id\":\"x\",\"order_no\":\"O\",\"merchant_id\":\"M\",\"kind\":\"SALE\",\"status\":\"PAID\","
                            + "\"amount\":\"1\",\"event_time\":0}"),
                    Payment.class))
        .hasMessage("kind must be one of [COLLECT, PAYOUT], was SALE");
    assertThatThrownBy(
            () ->
                EventJson.fromJson(
                    EventJson.MAPPER.readTree(
                        "{\"event_id\":\"x\",\"order_no\":\"O\",\"merchant_id\":\"M\",\"kind\":\"COLLECT\",\"status\":\"PAID\","
                            + "\"amount\":\"1.005\",\"event_time\":0}"),
                    Payment.class))
        .hasMessageStartingWith("amount has more than 2 decimals");
  }

  @Test
  void readsCsvAndReportsBadLinesWithTheirNumber(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("bills.csv");
    Files.writeString(
        csv,
        """
        bill_id,utr,cwid,direction,amount,currency,counterparty_vpa,deduct_status,picked_up,event_time
        B-1,412345678901,CW-1,CREDIT,1500.00,INR,,DEDUCTED,true,2026-11-21T10:00:00Z
        B-2,412345678902,CW-1,SIDEWAYS,10,INR,,DEDUCTED,true,2026-11-21T10:00:00Z
        B-3,412345678903,CW-1,CREDIT,-10,INR,,DEDUCTED,true,2026-11-21T10:00:00Z
        B-4,412345678904,CW-1,CREDIT,10,INR,,DEDUCTED,true,1795255200
        B-5,412345678905,CW-1,CREDIT,10,INR,,DEDUCTED,true,2026-11-21T12:05:00.001Z
        """);
    // As if the file were read at noon: B-5 is more than 5 minutes after it.
    long noon = Instant.parse("2026-11-21T12:00:00Z").toEpochMilli();

    EventFiles.Read<Bill> read =
        EventFiles.read(
            csv,
            Bill.class,
            RecordCheck.of(Bill.class).and(EventTimeBounds.DEFAULT.asWrittenAt(noon)));

    assertThat(read.records()).extracting(Bill::getBillId).containsExactly("B-1");
    assertThat(read.records().get(0).getCounterpartyVpa()).isNull();
    assertThat(read.badLines())
        .containsExactly(
            new EventFiles.BadLine(
                csv, 3, "direction must be one of [CREDIT, DEBIT], was SIDEWAYS"),
            new EventFiles.BadLine(csv, 4, "amount must be > 0, was -10.00"),
            new EventFiles.BadLine(
                csv,
                5,
                "event_time 1970-01-21T18:40:55.200Z is before 2000-01-01T00:00:00Z"
                    + " (events.not-before)"),
            new EventFiles.BadLine(
                csv,
                6,
                "event_time 2026-11-21T12:05:00.001Z is more than 5 min (events.max-ahead) after the"
                    + " record was written at 2026-11-21T12:00:00Z"));
    assertThat(List.of(read.records().get(0).getPickedUp())).containsExactly(true);
  }

  @Test
  void csvLinesAreTheFilesPhysicalLinesAndExtraColumnsAreABadLine(@TempDir Path dir)
      throws Exception {
    Path csv = dir.resolve("bills.csv");
    Files.writeString(
        csv,
        """
        bill_id,utr,cwid,direction,amount,currency,counterparty_vpa,deduct_status,picked_up,event_time
        B-1,412345678901,CW-1,CREDIT,1500.00,INR,"payer
        @upi",DEDUCTED,true,2026-11-21T10:00:00Z

        B-2,412345678902,CW-1,CREDIT,10,INR,,DEDUCTED,true,2026-11-21T10:00:00Z,surplus
        B-3,412345678903,CW-1,SIDEWAYS,10,INR,,DEDUCTED,true,2026-11-21T10:00:00Z
        B-4,412345678904,CW-1,CREDIT,10,INR,,DEDUCTED,true,2026-11-21T10:00:00Z
        """);

    EventFiles.Read<Bill> read = EventFiles.read(csv, Bill.class, RecordCheck.of(Bill.class));

    assertThat(read.records()).extracting(Bill::getBillId).containsExactly("B-1", "B-4");
    assertThat(read.records().get(0).getCounterpartyVpa()).isEqualTo("payer\n@upi");
    assertThat(read.badLines())
        .containsExactly(
            new EventFiles.BadLine(csv, 5, "11 columns where the header names 10"),
            new EventFiles.BadLine(
                csv, 6, "direction must be one of [CREDIT, DEBIT], was SIDEWAYS"));
  }

  @Test
  void aJsonLineIsOneObjectOfSingleValuesInUtf8AndNothingElse(@TempDir Path dir) throws Exception {
    String good =
        "{\"event_id\":\"PE-%d\",\"order_no\":\"O-%d\",\"merchant_id\":\"M\",\"kind\":\"COLLECT\","
            + "\"status\":\"PAID\",\"amount\":\"%s\",\"event_time\":1764000000000}";
    Path file = dir.resolve("payments.jsonl");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // a UTF-8 byte-order mark
    bytes.write((String.format(good, 1, 1, "10") + "\n").getBytes(StandardCharsets.UTF_8));
    bytes.write(
        (String.format(good, 2, 2, "10") + String.format(good, 3, 3, "10") + "\n")
            .getBytes(StandardCharsets.UTF_8));
    bytes.write(
        (String.format(good, 4, 4, "10").replace("\"M\"", "{\"id\":\"M\"}") + "\n")
            .getBytes(StandardCharsets.UTF_8));
    bytes.write((String.format(good, 5, 5, "10") + " and more\n").getBytes(StandardCharsets.UTF_8));
    bytes.write(
        (String.format(good, 6, 6, "12345678901234567.00") + "\n")
            .getBytes(StandardCharsets.UTF_8));
    bytes.write(
        String.format(good, 7, 7, "10")
            .replace("PE-7", "PE-\u00e9")
            .getBytes(StandardCharsets.ISO_8859_1));
    bytes.write('\n');
    bytes.write((String.format(good, 8, 8, "10") + "\n").getBytes(StandardCharsets.UTF_8));
    Files.write(file, bytes.toByteArray());

    EventFiles.Read<Payment> read =
        EventFiles.read(file, Payment.class, RecordCheck.of(Payment.class));

    assertThat(read.records()).extracting(Payment::getEventId).containsExactly("PE-1", "PE-8");
    assertThat(read.badLines())
        .extracting(EventFiles.BadLine::line)
        .containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(read.badLines().get(0).error()).startsWith("Trailing token");
    assertThat(read.badLines().get(1).error())
        .isEqualTo("merchant_id must be a single value, was a JSON object");
    assertThat(read.badLines().get(2).error()).startsWith("Unrecognized token 'and'");
    assertThat(read.badLines().get(3).error())
        .isEqualTo(
            "amount has more than 16 digits before the point (decimal(18,2)):"
                + " \"12345678901234567.00\"");
    assertThat(read.badLines().get(4).error()).isEqualTo("not valid UTF-8");
  }
}
