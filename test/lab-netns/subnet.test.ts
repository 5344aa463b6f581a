// Unit tests of the subnet picker: the chosen 10.x.y.0/24 overlaps no route it was given.
import { describe, expect, it } from 'vitest';
import { overlaps, parseCidr, pickSubnet, routePrefixes } from '../../src/lab/subnet.js';
import { seeded as seededRandom } from '../../src/generator/random.js';

describe('pickSubnet', () => {
  it('avoids a route covering the first candidate and ignores the default route', () => {
    // random() = 0 starts at 10.100.0; a route to 10.100.0.0/16 must push the pick past all of it.
    const taken = routePrefixes([{ dst: 'default' }, { dst: '10.100.0.0/16' }, { dst: '192.0.2.0/24' }]);
    expect(pickSubnet(taken, () => 0)).toBe('10.101.0');
  });

  it('avoids every subnet other runs hold and a /8 swallowing the whole range is an error', () => {
    const taken = routePrefixes([{ dst: '10.100.0.0/24' }, { dst: '10.100.1.0/24' }, { dst: '10.100.2.5' }]);
    expect(pickSubnet(taken, () => 0)).toBe('10.100.3');
    expect(() => pickSubnet(routePrefixes([{ dst: '10.0.0.0/8' }]), () => 0)).toThrow(/no free/);
  });

  it('random picks never overlap the given routes', () => {
    const r = seededRandom(5);
    const taken = routePrefixes([{ dst: '10.128.0.0/9' }, { dst: '10.100.0.0/14' }]);
    for (let i = 0; i < 30; i++) {
      const s = pickSubnet(taken, r);
      const c = parseCidr(`${s}.0/24`)!;
      expect(taken.some((t) => overlaps(t, c))).toBe(false);
    }
  });

  it('overlap is prefix containment', () => {
    expect(overlaps(parseCidr('10.1.0.0/16')!, parseCidr('10.1.2.0/24')!)).toBe(true);
    expect(overlaps(parseCidr('10.1.2.0/24')!, parseCidr('10.1.3.0/24')!)).toBe(false);
    expect(overlaps(parseCidr('0.0.0.0/0')!, parseCidr('10.1.3.0/24')!)).toBe(true);
  });
});
