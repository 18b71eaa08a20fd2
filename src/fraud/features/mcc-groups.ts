/**
 * Merchant category groups: the keys of `UserProfile.typical_spend_by_category`
 * (the names the profile producer uses), derived from ISO 18245 codes. The
 * listed codes are the representative code of each group; other codes fall
 * into a group by the broad ranges of the MCC table, else `other`.
 */
export const CATEGORY_GROUPS = [
  'grocery',
  'restaurants',
  'fast_food',
  'gas',
  'retail',
  'clothing',
  'pharmacy',
  'entertainment',
  'online_retail',
  'digital_goods',
  'atm',
  'electronics',
  'hotels',
  'airlines',
  'jewelry',
  'gambling',
  'money_transfer',
  'other',
] as const;
export type CategoryGroup = (typeof CATEGORY_GROUPS)[number];

const EXACT: ReadonlyMap<number, CategoryGroup> = new Map<number, CategoryGroup>([
  [5411, 'grocery'],
  [5812, 'restaurants'],
  [5814, 'fast_food'],
  [5541, 'gas'],
  [5542, 'gas'],
  [5311, 'retail'],
  [5651, 'clothing'],
  [5912, 'pharmacy'],
  [7832, 'entertainment'],
  [5999, 'online_retail'],
  [5815, 'digital_goods'],
  [5816, 'digital_goods'],
  [5817, 'digital_goods'],
  [5818, 'digital_goods'],
  [6010, 'atm'],
  [6011, 'atm'],
  [5732, 'electronics'],
  [5734, 'electronics'],
  [7011, 'hotels'],
  [4511, 'airlines'],
  [5944, 'jewelry'],
  [7995, 'gambling'],
  [7800, 'gambling'],
  [7801, 'gambling'],
  [7802, 'gambling'],
  [4829, 'money_transfer'],
  [6051, 'money_transfer'],
]);

/** Broad ranges of the MCC table, in order; the first match wins. */
const RANGES: ReadonlyArray<readonly [number, number, CategoryGroup]> = [
  [3000, 3299, 'airlines'],
  [3501, 3999, 'hotels'],
  [5400, 5499, 'grocery'],
  [5600, 5699, 'clothing'],
  [5300, 5399, 'retail'],
  [5800, 5813, 'restaurants'],
  [7800, 7999, 'entertainment'],
];

/** The category group of an MCC; unknown codes are `other`. */
export function categoryGroupOf(mcc: number): CategoryGroup {
  const exact = EXACT.get(mcc);
  if (exact) return exact;
  for (const [from, to, group] of RANGES) if (mcc >= from && mcc <= to) return group;
  return 'other';
}

/**
 * Groups where stolen cards are cashed out: goods that resell easily and
 * money that moves on. Card issuers' MCC risk lists put these on top.
 */
const HIGH_RISK: ReadonlySet<CategoryGroup> = new Set<CategoryGroup>(['electronics', 'jewelry', 'money_transfer', 'gambling']);

export function isHighRiskCategory(group: CategoryGroup): boolean {
  return HIGH_RISK.has(group);
}
