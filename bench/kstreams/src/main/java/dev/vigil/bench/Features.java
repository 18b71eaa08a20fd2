package dev.vigil.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A line-by-line port of src/fraud/features (compute-features.ts, card-state.ts,
 * recent-activity.ts, mcc-groups.ts, geo.ts): the 30 values of vigil-features-v3 in the same
 * order, from the card's state and its transactions of the last 24 hours. State is serialized
 * with DataOutputStream instead of JSON (Vigil keeps JSON for readable changelogs).
 */
final class Features {
  private Features() {}

  static final long MINUTE_MS = 60_000, HOUR_MS = 60 * MINUTE_MS, DAY_MS = 24 * HOUR_MS;
  private static final double SMALL_AMOUNT = 5;
  private static final double MAX_GAP_SECONDS = 30 * 24 * 3600;
  private static final int MAX_HISTORY = 1000;
  private static final double MIN_TRAVEL_HOURS = 1.0 / 60;
  private static final int MAX_DEVICES = 32, MAX_MERCHANTS = 512;

  static final class CardState {
    int count;
    double meanAmount, m2Amount, totalAmount;
    long firstEventMs, lastEventMs, lastPositionMs = -1;
    double lastLatitude, lastLongitude;
    String lastRegion = "";
    List<String> devices = new ArrayList<>(), merchants = new ArrayList<>(), categories = new ArrayList<>();

    byte[] toBytes() {
      try {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(buf);
        out.writeInt(count);
        out.writeDouble(meanAmount);
        out.writeDouble(m2Amount);
        out.writeDouble(totalAmount);
        out.writeLong(firstEventMs);
        out.writeLong(lastEventMs);
        out.writeLong(lastPositionMs);
        out.writeDouble(lastLatitude);
        out.writeDouble(lastLongitude);
        out.writeUTF(lastRegion);
        for (List<String> list : List.of(devices, merchants, categories)) {
          out.writeInt(list.size());
          for (String s : list) out.writeUTF(s);
        }
        return buf.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static CardState fromBytes(byte[] bytes) {
      try {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        CardState s = new CardState();
        s.count = in.readInt();
        s.meanAmount = in.readDouble();
        s.m2Amount = in.readDouble();
        s.totalAmount = in.readDouble();
        s.firstEventMs = in.readLong();
        s.lastEventMs = in.readLong();
        s.lastPositionMs = in.readLong();
        s.lastLatitude = in.readDouble();
        s.lastLongitude = in.readDouble();
        s.lastRegion = in.readUTF();
        for (List<String> list : List.of(s.devices, s.merchants, s.categories)) {
          int n = in.readInt();
          for (int i = 0; i < n; i++) list.add(in.readUTF());
        }
        return s;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  record Recent(long eventTimeMs, double amount, String merchantId, String category, boolean newMerchant) {
    byte[] toBytes() {
      try {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(buf);
        out.writeLong(eventTimeMs);
        out.writeDouble(amount);
        out.writeUTF(merchantId);
        out.writeUTF(category);
        out.writeBoolean(newMerchant);
        return buf.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static Recent fromBytes(byte[] bytes) {
      try {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        return new Recent(in.readLong(), in.readDouble(), in.readUTF(), in.readUTF(), in.readBoolean());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  record Computed(double[] values, CardState nextState, Recent recent) {}

  static Computed compute(Messages.Transaction tx, Messages.Profile profile, CardState state, List<Recent> recent) {
    long t = tx.eventTimeMs();
    double amount = tx.amountMinor() / 100.0;
    String category = categoryGroupOf(tx.mcc());
    int history = state == null ? 0 : state.count;

    int count1m = 1, count1h = 1, count24h = 1, newMerchants1h = 0, small1h = 0;
    double sum1h = amount, sum24h = amount;
    long hopStart = Math.floorDiv(t, MINUTE_MS) * MINUTE_MS - 4 * MINUTE_MS;
    double categorySpend5m = amount;
    Set<String> merchants1h = new HashSet<>();
    merchants1h.add(tx.merchantId());
    for (Recent r : recent) {
      long e = r.eventTimeMs();
      if (e > t) continue;
      if (e > t - DAY_MS) {
        count24h++;
        sum24h += r.amount();
      }
      if (e > t - HOUR_MS) {
        count1h++;
        sum1h += r.amount();
        merchants1h.add(r.merchantId());
        if (r.newMerchant()) newMerchants1h++;
        if (r.amount() < SMALL_AMOUNT) small1h++;
      }
      if (e > t - MINUTE_MS) count1m++;
      if (r.category().equals(category) && e >= hopStart) categorySpend5m += r.amount();
    }

    boolean newMerchant = state == null || !state.merchants.contains(tx.merchantId());
    boolean newDevice = !tx.deviceId().isEmpty() && (state == null || !state.devices.contains(tx.deviceId()));
    boolean newCategory = state == null || !state.categories.contains(category);

    double[] position = payerPosition(tx);
    double secondsSincePrev = MAX_GAP_SECONDS, distanceFromPrev = 0, geoVelocity = 0, regionChanged = 0;
    if (state != null) {
      long gapMs = Math.max(0, t - state.lastEventMs);
      secondsSincePrev = Math.min(MAX_GAP_SECONDS, gapMs / 1000.0);
      regionChanged = state.lastRegion.equals(tx.region()) ? 0 : 1;
      if (position != null && state.lastPositionMs >= 0) {
        distanceFromPrev = haversineKm(state.lastLatitude, state.lastLongitude, position[0], position[1]);
        geoVelocity = distanceFromPrev / Math.max(MIN_TRAVEL_HOURS, (double) Math.max(0, t - state.lastPositionMs) / HOUR_MS);
      }
    }
    double zscore = 0;
    if (state != null && state.count >= 3) {
      double std = Math.sqrt(state.m2Amount / (state.count - 1));
      zscore = (amount - state.meanAmount) / Math.max(1, std);
    }
    double vsMean = state != null ? amount / Math.max(1, state.meanAmount) : 1;
    double spendVsDaily = 1;
    if (state != null) {
      double days = Math.max(1, (double) (t - state.firstEventMs) / DAY_MS);
      spendVsDaily = sum24h / Math.max(1, state.totalAmount / days);
    }
    Map<String, Double> typicalMap = profile == null ? Map.of() : profile.typicalSpend();
    Double typical = typicalMap.get(category);
    boolean typicalKnown = typical != null && typical > 0;
    double maxTypical = 0, typicalSum = 0;
    int typicalCount = 0;
    for (double v : typicalMap.values()) {
      maxTypical = Math.max(maxTypical, v);
      if (v > 0) {
        typicalSum += v;
        typicalCount++;
      }
    }
    double typicalOrOverall = typicalKnown ? typical : typicalCount > 0 ? typicalSum / typicalCount : 0;

    double[] v = {
      amount,
      Math.log1p(Math.max(0, amount)),
      count1m,
      count1h,
      count24h,
      sum1h,
      sum24h,
      categorySpend5m,
      merchants1h.size(),
      newMerchants1h + (newMerchant ? 1 : 0),
      small1h + (amount < SMALL_AMOUNT ? 1 : 0),
      secondsSincePrev,
      distanceFromPrev,
      geoVelocity,
      regionChanged,
      zscore,
      vsMean,
      spendVsDaily,
      Math.min(MAX_HISTORY, history),
      newDevice ? 1 : 0,
      newMerchant ? 1 : 0,
      newCategory ? 1 : 0,
      profile != null && position != null ? haversineKm(profile.homeLatitude(), profile.homeLongitude(), position[0], position[1]) : 0,
      profile != null ? Math.max(0, (double) (t - profile.accountCreatedMs()) / DAY_MS) : 0,
      typicalOrOverall > 0 ? amount / typicalOrOverall : 1,
      typicalKnown ? 1 : 0,
      maxTypical > 0 ? amount / maxTypical : 1,
      HIGH_RISK.contains(category) ? 1 : 0,
      tx.channel() == Messages.CHANNEL_ONLINE ? 1 : 0,
      profile != null ? 0 : 1,
    };
    return new Computed(v, next(state, tx, amount, category, position), new Recent(t, amount, tx.merchantId(), category, newMerchant));
  }

  /** As payerPosition in compute-features.ts: the terminal in person, online only the payer's own position; null when unknown. */
  static double[] payerPosition(Messages.Transaction tx) {
    if (tx.channel() == Messages.CHANNEL_ONLINE) return tx.payer();
    return tx.terminal() != null ? tx.terminal() : new double[] {tx.latitude(), tx.longitude()};
  }

  private static CardState next(CardState s, Messages.Transaction tx, double amount, String category, double[] position) {
    CardState n = new CardState();
    n.count = (s == null ? 0 : s.count) + 1;
    double prevMean = s == null ? 0 : s.meanAmount;
    n.meanAmount = prevMean + (amount - prevMean) / n.count;
    n.m2Amount = (s == null ? 0 : s.m2Amount) + (amount - prevMean) * (amount - n.meanAmount);
    n.totalAmount = (s == null ? 0 : s.totalAmount) + amount;
    long t = tx.eventTimeMs();
    n.firstEventMs = s == null ? t : Math.min(s.firstEventMs, t);
    boolean latest = s == null || t >= s.lastEventMs;
    n.lastEventMs = latest ? t : s.lastEventMs;
    boolean movesPosition = position != null && (s == null || t >= s.lastPositionMs);
    n.lastPositionMs = movesPosition ? t : s == null ? -1 : s.lastPositionMs;
    n.lastLatitude = movesPosition ? position[0] : s == null ? 0 : s.lastLatitude;
    n.lastLongitude = movesPosition ? position[1] : s == null ? 0 : s.lastLongitude;
    n.lastRegion = latest ? tx.region() : s.lastRegion;
    List<String> noList = List.of();
    n.devices = tx.deviceId().isEmpty() ? new ArrayList<>(s == null ? noList : s.devices)
        : remember(s == null ? noList : s.devices, tx.deviceId(), MAX_DEVICES);
    n.merchants = remember(s == null ? noList : s.merchants, tx.merchantId(), MAX_MERCHANTS);
    n.categories = remember(s == null ? noList : s.categories, category, Integer.MAX_VALUE);
    return n;
  }

  private static List<String> remember(List<String> items, String item, int limit) {
    List<String> next = new ArrayList<>(items.size() + 1);
    for (String s : items) if (!s.equals(item)) next.add(s);
    next.add(item);
    return next.size() > limit ? new ArrayList<>(next.subList(next.size() - limit, next.size())) : next;
  }

  static double haversineKm(double lat1, double lon1, double lat2, double lon2) {
    double dLat = Math.toRadians(lat2 - lat1), dLon = Math.toRadians(lon2 - lon1);
    double a = Math.pow(Math.sin(dLat / 2), 2)
        + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  private static final Set<String> HIGH_RISK = Set.of("electronics", "jewelry", "money_transfer", "gambling");
  private static final Map<Integer, String> EXACT = Map.ofEntries(
      Map.entry(5411, "grocery"), Map.entry(5812, "restaurants"), Map.entry(5814, "fast_food"),
      Map.entry(5541, "gas"), Map.entry(5542, "gas"), Map.entry(5311, "retail"), Map.entry(5651, "clothing"),
      Map.entry(5912, "pharmacy"), Map.entry(7832, "entertainment"), Map.entry(5999, "online_retail"),
      Map.entry(5815, "digital_goods"), Map.entry(5816, "digital_goods"), Map.entry(5817, "digital_goods"),
      Map.entry(5818, "digital_goods"), Map.entry(6010, "atm"), Map.entry(6011, "atm"),
      Map.entry(5732, "electronics"), Map.entry(5734, "electronics"), Map.entry(7011, "hotels"),
      Map.entry(4511, "airlines"), Map.entry(5944, "jewelry"), Map.entry(7995, "gambling"),
      Map.entry(7800, "gambling"), Map.entry(7801, "gambling"), Map.entry(7802, "gambling"),
      Map.entry(4829, "money_transfer"), Map.entry(6051, "money_transfer"));
  private static final Object[][] RANGES = {
    {3000, 3299, "airlines"}, {3501, 3999, "hotels"}, {5400, 5499, "grocery"}, {5600, 5699, "clothing"},
    {5300, 5399, "retail"}, {5800, 5813, "restaurants"}, {7800, 7999, "entertainment"},
  };

  static String categoryGroupOf(int mcc) {
    String exact = EXACT.get(mcc);
    if (exact != null) return exact;
    for (Object[] r : RANGES) if (mcc >= (int) r[0] && mcc <= (int) r[1]) return (String) r[2];
    return "other";
  }
}
