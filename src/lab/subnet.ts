// Picks a private 10.x.y.0/24 for a netns lab that overlaps no route of the host and no other live run.

/** An IPv4 prefix as [network as uint32, prefix length]. */
export type Cidr = [number, number];

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** "10.1.2.0/24" → [net, 24]; a bare address is a /32; "default" is 0.0.0.0/0. */
export function parseCidr(s: string): Cidr | undefined {
  if (s === 'default') return [0, 0];
  const [ip, len] = s.split('/');
  try {
    const bits = len === undefined ? 32 : Number(len);
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
    return [maskOf(ipToInt(ip!), bits), bits];
  } catch {
    return undefined;
  }
}

const maskOf = (ip: number, bits: number): number => (bits === 0 ? 0 : (ip & (~0 << (32 - bits))) >>> 0);

/** Two prefixes overlap when the shorter one contains the other's network. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a[1], b[1]);
  return maskOf(a[0], bits) === maskOf(b[0], bits);
}

/**
 * The first 10.x.y.0/24 (x in 100..254, starting from a random point so parallel runs rarely race) that
 * overlaps none of `taken`. The default route (/0) is ignored: it overlaps everything by definition.
 * Returns "10.x.y" (the first three octets).
 */
export function pickSubnet(taken: readonly Cidr[], random: () => number): string {
  const specific = taken.filter((c) => c[1] > 0);
  const first = 100 * 256;
  const count = 155 * 256;
  const start = Math.floor(random() * count);
  for (let i = 0; i < count; i++) {
    const k = first + ((start + i) % count);
    const candidate: Cidr = [ipToInt(`10.${k >> 8}.${k & 255}.0`), 24];
    if (!specific.some((c) => overlaps(c, candidate))) return `10.${k >> 8}.${k & 255}`;
  }
  throw new Error('no free 10.x.y.0/24 subnet: every candidate overlaps a route');
}

/** Destinations of `ip -j route` / `ip -j addr` output, as prefixes. */
export function routePrefixes(ipJsonRoutes: readonly { dst?: string }[]): Cidr[] {
  return ipJsonRoutes.map((r) => (r.dst ? parseCidr(r.dst) : undefined)).filter((c): c is Cidr => c !== undefined);
}
