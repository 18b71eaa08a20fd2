import { describe, expect, it } from 'vitest';
import { impossibleTravelReason, isImpossibleTravel } from '../../../src/fraud/decision/impossible-travel.js';
import { FEATURE_NAMES } from '../../../src/fraud/features/feature-names.js';

const row = (values: { [name: string]: number }) => FEATURE_NAMES.map((n) => values[n] ?? 0);

describe('the impossible-travel rule', () => {
  it('fires on a card-present payment at least 2,000 km and 2,000 km/h from the last known position', () => {
    expect(isImpossibleTravel(row({ geo_velocity_kmh: 11_800, distance_from_prev_km: 3_936, channel_online: 0 }))).toBe(true);
    expect(isImpossibleTravel(row({ geo_velocity_kmh: 2_000, distance_from_prev_km: 2_000, channel_online: 0 }))).toBe(true);
  });

  it('does not fire online, on a short hop, or at a speed a flight explains', () => {
    expect(isImpossibleTravel(row({ geo_velocity_kmh: 11_800, distance_from_prev_km: 3_936, channel_online: 1 }))).toBe(false);
    expect(isImpossibleTravel(row({ geo_velocity_kmh: 9_000, distance_from_prev_km: 300, channel_online: 0 }))).toBe(false); // a family card across town
    expect(isImpossibleTravel(row({ geo_velocity_kmh: 700, distance_from_prev_km: 3_936, channel_online: 0 }))).toBe(false); // flew
  });

  it('explains itself first, with what the model lacked in log-odds as its contribution', () => {
    const reason = impossibleTravelReason(row({ geo_velocity_kmh: 11_807.3, distance_from_prev_km: 3_935.8 }), 0.05, 0.5);
    expect(reason.feature).toBe('geo_velocity_kmh');
    expect(reason.contribution).toBeCloseTo(Math.log(19), 6);
    expect(reason.description).toBe("impossible travel (rule): paid in person 3,936 km from the card's last known position, at 11,807 km/h");
  });
});
