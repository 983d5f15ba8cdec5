import { type DeviceAddress, deviceTopicPrefix } from './topics.js';

/**
 * Who may publish and subscribe where on the broker (contract: "A device ... may publish only
 * under its own gc/{communityId}/{deviceType}/{deviceId}/#").
 *   service   - greenwatch's own services (MQTT_USERNAME): everything
 *   anonymous - only when MQTT_ALLOW_ANONYMOUS=true (development): everything, as on a dev broker
 *   device    - its own topic tree, nothing else
 */
export type BrokerIdentity = { kind: 'service' } | { kind: 'anonymous' } | { kind: 'device'; devices: DeviceAddress[] };

export function canPublish(identity: BrokerIdentity, topic: string): boolean {
  if (identity.kind !== 'device') return true;
  return identity.devices.some((d) => topic.startsWith(deviceTopicPrefix(d)) && topic.length > deviceTopicPrefix(d).length);
}

/** A device may subscribe inside its own tree (for commands addressed to it), never outside it. */
export function canSubscribe(identity: BrokerIdentity, filter: string): boolean {
  if (identity.kind !== 'device') return true;
  // The prefix is literal (ids cannot hold + or #), so a filter that starts with it stays inside.
  return identity.devices.some((d) => filter.startsWith(deviceTopicPrefix(d)));
}
