import { describe, expect, it } from 'vitest';
import { CATEGORY_GROUPS, categoryGroupOf, isHighRiskCategory } from '../../../src/fraud/features/mcc-groups.js';
import { CATEGORIES } from '../../../src/fraud/simulator/index.js';

describe('categoryGroupOf', () => {
  it('maps each MCC the profile producer uses to the category name its profiles key typical spend by', () => {
    for (const c of CATEGORIES) expect(categoryGroupOf(c.mcc), `MCC ${c.mcc}`).toBe(c.name);
  });

  it('falls back to the broad MCC ranges, then to other', () => {
    expect(categoryGroupOf(3005)).toBe('airlines');
    expect(categoryGroupOf(5462)).toBe('grocery');
    expect(categoryGroupOf(1520)).toBe('other');
  });

  it('flags only cash-out groups as high risk', () => {
    expect(CATEGORY_GROUPS.filter(isHighRiskCategory)).toEqual(['electronics', 'jewelry', 'gambling', 'money_transfer']);
  });
});
