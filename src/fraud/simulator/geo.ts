import type { Rng } from './rng.js';

export type Region = 'us-east' | 'us-west';

export interface City {
  code: string;
  name: string;
  region: Region;
  lat: number;
  lon: number;
  /** Standard-time UTC offset in hours; daily rhythms follow local time (no DST). */
  utcOffsetHours: number;
}

/** Where users live and merchants trade. Chicago counts as us-east: its cluster is the nearer one. */
export const CITIES: readonly City[] = [
  { code: 'nyc', name: 'New York', region: 'us-east', lat: 40.7128, lon: -74.006, utcOffsetHours: -5 },
  { code: 'bos', name: 'Boston', region: 'us-east', lat: 42.3601, lon: -71.0589, utcOffsetHours: -5 },
  { code: 'phl', name: 'Philadelphia', region: 'us-east', lat: 39.9526, lon: -75.1652, utcOffsetHours: -5 },
  { code: 'was', name: 'Washington', region: 'us-east', lat: 38.9072, lon: -77.0369, utcOffsetHours: -5 },
  { code: 'atl', name: 'Atlanta', region: 'us-east', lat: 33.749, lon: -84.388, utcOffsetHours: -5 },
  { code: 'mia', name: 'Miami', region: 'us-east', lat: 25.7617, lon: -80.1918, utcOffsetHours: -5 },
  { code: 'clt', name: 'Charlotte', region: 'us-east', lat: 35.2271, lon: -80.8431, utcOffsetHours: -5 },
  { code: 'chi', name: 'Chicago', region: 'us-east', lat: 41.8781, lon: -87.6298, utcOffsetHours: -6 },
  { code: 'lax', name: 'Los Angeles', region: 'us-west', lat: 34.0522, lon: -118.2437, utcOffsetHours: -8 },
  { code: 'sfo', name: 'San Francisco', region: 'us-west', lat: 37.7749, lon: -122.4194, utcOffsetHours: -8 },
  { code: 'sea', name: 'Seattle', region: 'us-west', lat: 47.6062, lon: -122.3321, utcOffsetHours: -8 },
  { code: 'pdx', name: 'Portland', region: 'us-west', lat: 45.5152, lon: -122.6784, utcOffsetHours: -8 },
  { code: 'san', name: 'San Diego', region: 'us-west', lat: 32.7157, lon: -117.1611, utcOffsetHours: -8 },
  { code: 'las', name: 'Las Vegas', region: 'us-west', lat: 36.1699, lon: -115.1398, utcOffsetHours: -8 },
  { code: 'phx', name: 'Phoenix', region: 'us-west', lat: 33.4484, lon: -112.074, utcOffsetHours: -7 },
  { code: 'den', name: 'Denver', region: 'us-west', lat: 39.7392, lon: -104.9903, utcOffsetHours: -7 },
];

export const CITIES_BY_REGION: Readonly<Record<Region, readonly City[]>> = {
  'us-east': CITIES.filter((c) => c.region === 'us-east'),
  'us-west': CITIES.filter((c) => c.region === 'us-west'),
};

export function otherRegion(region: Region): Region {
  return region === 'us-east' ? 'us-west' : 'us-east';
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

/** A point within roughly `km` of (lat, lon), rounded to ~1 m so fixtures stay compact. */
export function jitter(rng: Rng, lat: number, lon: number, km: number): { lat: number; lon: number } {
  const dLat = ((rng.next() * 2 - 1) * km) / 111;
  const dLon = ((rng.next() * 2 - 1) * km) / (111 * Math.cos((lat * Math.PI) / 180));
  return { lat: round5(lat + dLat), lon: round5(lon + dLon) };
}

export function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}
