import type { CommunityConfig, DeviceConfig, RuleId } from '#contracts';
import { type AnyRuleParams, DEFAULT_PARAMS } from './catalogue.js';

/**
 * A rule's parameters for one device: the catalogue's defaults, then the community's `rules:`,
 * then the compound's, then the device's own facts (`intervalS` for device.offline), then the
 * device's `rules:`. The nearest wins, key by key.
 */
export function resolveParams<R extends RuleId>(rule: R, community: CommunityConfig, device?: Pick<DeviceConfig, 'compound' | 'intervalS' | 'rules'>, compoundId = device?.compound): AnyRuleParams[R] {
  const compound = compoundId === undefined ? undefined : community.compounds.find((c) => c.id === compoundId);
  const facts = rule === 'device.offline' && device?.intervalS !== undefined ? { intervalS: device.intervalS } : undefined;
  return { ...DEFAULT_PARAMS[rule], ...community.rules?.[rule], ...compound?.rules?.[rule], ...facts, ...device?.rules?.[rule] } as AnyRuleParams[R];
}

/** Resolved parameters of every rule, memoised by what can change them, so 10,000 devices share a handful. */
export class ParamsCache {
  private readonly cache = new Map<string, AnyRuleParams>();

  constructor(private readonly community: CommunityConfig) {}

  for(device: Pick<DeviceConfig, 'id' | 'compound' | 'intervalS' | 'rules'> | undefined, compoundId = device?.compound): AnyRuleParams {
    const key = device?.rules ? `device:${device.id}` : `compound:${compoundId ?? ''}|${device?.intervalS ?? ''}`;
    let params = this.cache.get(key);
    if (!params) {
      params = {} as AnyRuleParams;
      for (const rule of Object.keys(DEFAULT_PARAMS) as RuleId[]) (params as Record<RuleId, unknown>)[rule] = resolveParams(rule, this.community, device, compoundId);
      this.cache.set(key, params);
    }
    return params;
  }
}
