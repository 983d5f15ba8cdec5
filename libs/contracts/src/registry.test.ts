import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommunityConfig } from './community-config.js';
import { DeviceRegistry } from './registry.js';

const demo = parseCommunityConfig(
  ['id: demo', 'name: Demo', 'compounds:', '  - {id: c1, name: One}', 'devices:', '  - {id: n-01, type: noise, compound: c1, zone: "1"}', '  - {id: b-01, type: waste_bin, compound: c1, category: kitchen}'].join('\n'),
);
const other = parseCommunityConfig(['id: other', 'name: Other', 'compounds:', '  - {id: c7, name: Seven}', 'devices:', '  - {id: n-01, type: noise, compound: c7, zone: "4a"}'].join('\n'));

describe('DeviceRegistry', () => {
  it('is empty by default', () => {
    const registry = new DeviceRegistry();
    assert.equal(registry.size, 0);
    assert.deepEqual(registry.allCommunities(), []);
    assert.equal(registry.community('demo'), undefined);
    assert.equal(registry.device('demo', 'n-01'), undefined);
  });

  it('finds devices by community and id, with the community id attached', () => {
    const registry = new DeviceRegistry([demo, other]);
    assert.equal(registry.size, 3);
    assert.deepEqual(registry.device('demo', 'n-01'), { id: 'n-01', type: 'noise', compound: 'c1', zone: '1', communityId: 'demo' });
    assert.deepEqual(registry.device('demo', 'b-01'), { id: 'b-01', type: 'waste_bin', compound: 'c1', category: 'kitchen', communityId: 'demo' });
  });

  it('keeps equal device ids of two communities apart', () => {
    const registry = new DeviceRegistry([demo, other]);
    assert.equal(registry.device('demo', 'n-01')?.zone, '1');
    assert.equal(registry.device('other', 'n-01')?.zone, '4a');
    assert.equal(registry.device('other', 'b-01'), undefined);
  });

  it('the key cannot be forged across the separator', () => {
    const registry = new DeviceRegistry([demo]);
    assert.equal(registry.device('demo/n-01', ''), undefined);
    assert.equal(registry.device('', 'demo/n-01'), undefined);
  });

  it('lists communities in the order given and returns their config', () => {
    const registry = new DeviceRegistry([other, demo]);
    assert.deepEqual(registry.allCommunities().map((c) => c.id), ['other', 'demo']);
    assert.equal(registry.community('demo')?.name, 'Demo');
    assert.equal(registry.community('nope'), undefined);
  });

  it('refuses a community configured twice, naming it', () => {
    assert.throws(() => new DeviceRegistry([demo, demo]), { message: 'community demo is configured twice' });
  });

  it('accepts any iterable', () => {
    function* configs() {
      yield demo;
    }
    assert.equal(new DeviceRegistry(configs()).size, 2);
  });

  it('put replaces a community: new devices found, dropped ones forgotten, other communities untouched', () => {
    const registry = new DeviceRegistry([demo, other]);
    const edited = parseCommunityConfig(['id: demo', 'name: Demo 2', 'compounds:', '  - {id: c1, name: One}', 'devices:', '  - {id: n-02, type: noise, compound: c1, zone: "2"}'].join('\n'));
    registry.put(edited);
    assert.equal(registry.community('demo')?.name, 'Demo 2');
    assert.equal(registry.device('demo', 'n-02')?.zone, '2');
    assert.equal(registry.device('demo', 'n-01'), undefined);
    assert.equal(registry.device('demo', 'b-01'), undefined);
    assert.equal(registry.device('other', 'n-01')?.zone, '4a');
    assert.equal(registry.size, 2);
    assert.deepEqual(registry.allCommunities().map((c) => c.id), ['demo', 'other']);
  });
});
