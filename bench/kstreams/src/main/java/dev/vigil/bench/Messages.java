package dev.vigil.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The vigil.v1 messages this topology reads and writes (proto/vigil/v1/vigil.proto), parsed and
 * written by hand with protobuf-java's coded streams instead of protoc-generated classes, and the
 * Confluent wire-format frame around them (magic byte, 4-byte schema id, message-index varints).
 */
final class Messages {
  private Messages() {}

  record Transaction(
      String transactionId, String cardId, String userId, long amountMinor, String currency,
      String merchantId, int mcc, double latitude, double longitude, String deviceId, int channel,
      String region, long eventTimeMs, byte[] located, double[] terminal, double[] payer) {}

  record Profile(
      String userId, double homeLatitude, double homeLongitude, String homeRegion,
      long accountCreatedMs, Map<String, Double> typicalSpend) {}

  record Reason(String feature, double value, double contribution, String description) {}

  static final int CHANNEL_ONLINE = 2;

  /** Skips magic byte + schema id + the message-index array; returns a stream on the payload. */
  static CodedInputStream payload(byte[] frame) throws IOException {
    if (frame.length < 5 || frame[0] != 0) throw new IOException("not a Confluent wire-format frame");
    CodedInputStream in = CodedInputStream.newInstance(frame, 5, frame.length - 5);
    int count = in.readSInt32();
    for (int i = 0; i < count; i++) in.readSInt32();
    return in;
  }

  static Transaction parseTransaction(byte[] frame) throws IOException {
    CodedInputStream in = payload(frame);
    String id = "", card = "", user = "", currency = "", merchant = "", device = "", region = "";
    long amount = 0, eventTime = 0;
    int mcc = 0, channel = 0;
    double lat = 0, lon = 0;
    double[] terminal = null, payer = null;
    // Fields 14-16 (terminal, merchant and payer GeoPoints) are carried through to the alert
    // byte for byte: the reference's features read latitude/longitude only, as the TypeScript ones do.
    ByteArrayOutputStream locatedBytes = new ByteArrayOutputStream();
    CodedOutputStream located = CodedOutputStream.newInstance(locatedBytes);
    while (true) {
      int tag = in.readTag();
      if (tag == 0) break;
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 14, 15, 16 -> {
          int field = WireFormat.getTagFieldNumber(tag);
          com.google.protobuf.ByteString point = in.readBytes();
          located.writeBytes(field, point);
          if (field == 14) terminal = geoPoint(point);
          if (field == 16) payer = geoPoint(point);
        }
        case 1 -> id = in.readString();
        case 2 -> card = in.readString();
        case 3 -> user = in.readString();
        case 4 -> amount = in.readInt64();
        case 5 -> currency = in.readString();
        case 6 -> merchant = in.readString();
        case 7 -> mcc = in.readInt32();
        case 8 -> lat = in.readDouble();
        case 9 -> lon = in.readDouble();
        case 10 -> device = in.readString();
        case 11 -> channel = in.readEnum();
        case 12 -> region = in.readString();
        case 13 -> eventTime = in.readInt64();
        default -> in.skipField(tag);
      }
    }
    located.flush();
    return new Transaction(id, card, user, amount, currency, merchant, mcc, lat, lon, device, channel, region, eventTime, locatedBytes.toByteArray(), terminal, payer);
  }

  static Profile parseProfile(byte[] frame) throws IOException {
    CodedInputStream in = payload(frame);
    String user = "", region = "";
    double lat = 0, lon = 0;
    long created = 0;
    Map<String, Double> typical = new HashMap<>();
    while (true) {
      int tag = in.readTag();
      if (tag == 0) break;
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> user = in.readString();
        case 3 -> lat = in.readDouble();
        case 4 -> lon = in.readDouble();
        case 5 -> region = in.readString();
        case 6 -> created = in.readInt64();
        case 7 -> {
          int limit = in.pushLimit(in.readRawVarint32());
          String key = "";
          double value = 0;
          while (true) {
            int t = in.readTag();
            if (t == 0) break;
            switch (WireFormat.getTagFieldNumber(t)) {
              case 1 -> key = in.readString();
              case 2 -> value = in.readDouble();
              default -> in.skipField(t);
            }
          }
          in.popLimit(limit);
          typical.put(key, value);
        }
        default -> in.skipField(tag);
      }
    }
    return new Profile(user, lat, lon, region, created, typical);
  }

  private static void writeTransaction(CodedOutputStream out, Transaction t) throws IOException {
    out.writeString(1, t.transactionId());
    out.writeString(2, t.cardId());
    out.writeString(3, t.userId());
    out.writeInt64(4, t.amountMinor());
    out.writeString(5, t.currency());
    out.writeString(6, t.merchantId());
    out.writeInt32(7, t.mcc());
    out.writeDouble(8, t.latitude());
    out.writeDouble(9, t.longitude());
    out.writeString(10, t.deviceId());
    out.writeEnum(11, t.channel());
    out.writeString(12, t.region());
    out.writeInt64(13, t.eventTimeMs());
    out.writeRawBytes(t.located());
  }

  private static byte[] bytesOf(IOWriter w) {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
      CodedOutputStream out = CodedOutputStream.newInstance(buf);
      w.write(out);
      out.flush();
      return buf.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FunctionalInterface
  private interface IOWriter {
    void write(CodedOutputStream out) throws IOException;
  }

  /** An Alert (message index 5) in the wire format: `header` is magic byte + schema id + index. */
  static byte[] encodeAlert(
      byte[] header, Transaction t, double score, String modelVersion, List<Reason> reasons,
      String topic, int partition, long offset) {
    byte[] tx = bytesOf(out -> writeTransaction(out, t));
    byte[] source = bytesOf(out -> {
      out.writeString(1, topic);
      out.writeInt32(2, partition);
      out.writeInt64(3, offset);
    });
    byte[] body = bytesOf(out -> {
      out.writeString(1, topic + "/" + partition + "/" + offset);
      out.writeByteArray(2, tx);
      out.writeDouble(3, score);
      out.writeString(4, modelVersion);
      for (Reason r : reasons) {
        out.writeByteArray(5, bytesOf(o -> {
          o.writeString(1, r.feature());
          o.writeDouble(2, r.value());
          o.writeDouble(3, r.contribution());
          o.writeString(4, r.description());
        }));
      }
      out.writeByteArray(6, source);
    });
    byte[] frame = new byte[header.length + body.length];
    System.arraycopy(header, 0, frame, 0, header.length);
    System.arraycopy(body, 0, frame, header.length, body.length);
    return frame;
  }

  /** A GeoPoint's latitude and longitude (fields 1 and 2). */
  static double[] geoPoint(com.google.protobuf.ByteString bytes) throws IOException {
    CodedInputStream in = bytes.newCodedInput();
    double[] p = {0, 0};
    for (;;) {
      int tag = in.readTag();
      if (tag == 0) return p;
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> p[0] = in.readDouble();
        case 2 -> p[1] = in.readDouble();
        default -> in.skipField(tag);
      }
    }
  }
}
