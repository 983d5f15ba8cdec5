import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DeviceMessage, type RegisteredDevice, validateDeviceMessage } from '#contracts';
import { MEASUREMENTS, messageToLine } from './schema.js';

const TS = 1_795_867_200_000; // 2026-11-28T12:00:00Z

function msg(deviceType: DeviceMessage['deviceType'], channel: DeviceMessage['channel'], deviceId: string, fields: DeviceMessage['fields'], seq?: number): DeviceMessage {
  const m: DeviceMessage = { communityId: 'demo', deviceType, deviceId, channel, ts: TS, fields };
  if (seq !== undefined) m.seq = seq;
  return m;
}

function registered(id: string, type: RegisteredDevice['type'], extra: Partial<RegisteredDevice> = {}): RegisteredDevice {
  return { id, type, compound: 'c1', communityId: 'demo', ...extra };
}

describe('messageToLine: telemetry, one measurement per device type', () => {
  it('names the measurements of events and status as the contract does', () => {
    assert.deepEqual(MEASUREMENTS, { event: 'device_event', status: 'device_status', alert: 'alert' });
  });

  it('noise: zone and compound from the configuration, energy = 10^(laeq/10), seq as integer', () => {
    const line = messageToLine(msg('noise', 'telemetry', 'n-01', { laeq: 50, lmax: 70.5, l90: 42 }, 7), registered('n-01', 'noise', { zone: '1' }));
    // 10^(50/10) = 10^5 = 100000
    assert.equal(line, 'noise,community=demo,compound=c1,device=n-01,zone=1 laeq=50,lmax=70.5,l90=42,seq=7i,energy=100000 1795867200000');
  });

  it('noise energy for laeq 60 is 1000000 and for 20 is 100', () => {
    assert.match(messageToLine(msg('noise', 'telemetry', 'n-01', { laeq: 60 }), registered('n-01', 'noise', { zone: '4a' })), / laeq=60,energy=1000000 /);
    assert.match(messageToLine(msg('noise', 'telemetry', 'n-01', { laeq: 20 }), registered('n-01', 'noise', { zone: '4a' })), / laeq=20,energy=100 /);
  });

  it('noise energy for a fractional laeq (35 dB -> 10^3.5 ≈ 3162.27766)', () => {
    const line = messageToLine(msg('noise', 'telemetry', 'n-01', { laeq: 35 }), registered('n-01', 'noise', { zone: '0' }));
    const energy = Number(/energy=([^ ,]+)/.exec(line)?.[1]);
    assert.ok(Math.abs(energy - 3162.2776601683795) < 1e-9, String(energy));
    assert.match(line, /^noise,community=demo,compound=c1,device=n-01,zone=0 laeq=35,energy=/);
  });

  it('waste_bin: category is a tag (from the payload), not a field', () => {
    const line = messageToLine(msg('waste_bin', 'telemetry', 'b-01', { fillPct: 85, category: 'kitchen', tempC: 21.5, weightKg: 12.25, lidOpen: true }, 0), registered('b-01', 'waste_bin', { category: 'kitchen' }));
    assert.equal(line, 'waste_bin,category=kitchen,community=demo,compound=c1,device=b-01 fillPct=85,tempC=21.5,weightKg=12.25,lidOpen=true,seq=0i 1795867200000');
  });

  it('ev_charger: state is a string field', () => {
    const line = messageToLine(msg('ev_charger', 'telemetry', 'e-01', { state: 'charging', powerKw: 7, energyKwh: 1234.5 }), registered('e-01', 'ev_charger'));
    assert.equal(line, 'ev_charger,community=demo,compound=c1,device=e-01 state="charging",powerKw=7,energyKwh=1234.5 1795867200000');
  });

  it('water_meter', () => {
    const line = messageToLine(msg('water_meter', 'telemetry', 'w-01', { totalM3: 1520.125, flowLpm: 6 }, 12), registered('w-01', 'water_meter'));
    assert.equal(line, 'water_meter,community=demo,compound=c1,device=w-01 totalM3=1520.125,flowLpm=6,seq=12i 1795867200000');
  });

  it('gas_meter', () => {
    const line = messageToLine(msg('gas_meter', 'telemetry', 'g-01', { totalM3: 88.5, flowM3h: 0.4, methaneLel: 0, valve: 'open' }), registered('g-01', 'gas_meter'));
    assert.equal(line, 'gas_meter,community=demo,compound=c1,device=g-01 totalM3=88.5,flowM3h=0.4,methaneLel=0,valve="open" 1795867200000');
  });

  it('access_gate: booleans', () => {
    const line = messageToLine(msg('access_gate', 'telemetry', 'a-01', { doorClosed: true, gateOnline: false }), registered('a-01', 'access_gate'));
    assert.equal(line, 'access_gate,community=demo,compound=c1,device=a-01 doorClosed=true,gateOnline=false 1795867200000');
  });

  it('an unregistered device: compound and zone are left out, not invented', () => {
    assert.equal(messageToLine(msg('noise', 'telemetry', 'n-99', { laeq: 50 }), undefined), 'noise,community=demo,device=n-99 laeq=50,energy=100000 1795867200000');
    assert.equal(messageToLine(msg('water_meter', 'telemetry', 'w-99', { totalM3: 1 }), undefined), 'water_meter,community=demo,device=w-99 totalM3=1 1795867200000');
  });

  it('an unregistered waste bin still has its category tag', () => {
    assert.equal(messageToLine(msg('waste_bin', 'telemetry', 'b-99', { fillPct: 10, category: 'other' }), undefined), 'waste_bin,category=other,community=demo,device=b-99 fillPct=10 1795867200000');
  });
});

describe('messageToLine: events', () => {
  it('device_event with type as a tag, the extra field, seq and count=1i', () => {
    const line = messageToLine(msg('noise', 'event', 'n-01', { type: 'horn', lmax: 92.5 }, 3), registered('n-01', 'noise', { zone: '1' }));
    assert.equal(line, 'device_event,community=demo,device=n-01,deviceType=noise,type=horn lmax=92.5,seq=3i,count=1i 1795867200000');
  });

  it('an event without fields of its own is storable through count', () => {
    assert.equal(messageToLine(msg('water_meter', 'event', 'w-01', { type: 'tamper' }), undefined), 'device_event,community=demo,device=w-01,deviceType=water_meter,type=tamper count=1i 1795867200000');
  });

  it('access_gate open: method is a string field; no compound on events', () => {
    assert.equal(messageToLine(msg('access_gate', 'event', 'a-01', { type: 'open', method: 'face' }), registered('a-01', 'access_gate')), 'device_event,community=demo,device=a-01,deviceType=access_gate,type=open method="face",count=1i 1795867200000');
  });

  it('held_open seconds and session_end energyKwh are fields', () => {
    assert.equal(messageToLine(msg('access_gate', 'event', 'a-01', { type: 'held_open', seconds: 95 }), undefined), 'device_event,community=demo,device=a-01,deviceType=access_gate,type=held_open seconds=95,count=1i 1795867200000');
    assert.equal(messageToLine(msg('ev_charger', 'event', 'e-01', { type: 'session_end', energyKwh: 18.75 }), undefined), 'device_event,community=demo,device=e-01,deviceType=ev_charger,type=session_end energyKwh=18.75,count=1i 1795867200000');
  });

  it('a waste_bin event keeps a field named category (only telemetry moves it to a tag)', () => {
    assert.equal(messageToLine(msg('waste_bin', 'event', 'b-01', { type: 'emptied', category: 'x' }), undefined), 'device_event,community=demo,device=b-01,deviceType=waste_bin,type=emptied category="x",count=1i 1795867200000');
  });
});

describe('messageToLine: status', () => {
  it('device_status with every field', () => {
    assert.equal(
      messageToLine(msg('gas_meter', 'status', 'g-01', { online: true, battery: 55, fw: 'v1.2 "beta"', rssi: -71 }, 9), registered('g-01', 'gas_meter')),
      'device_status,community=demo,device=g-01,deviceType=gas_meter online=true,battery=55,fw="v1.2 \\"beta\\"",rssi=-71,seq=9i 1795867200000',
    );
  });

  it('a last will', () => {
    assert.equal(messageToLine(msg('noise', 'status', 'n-01', { online: false }), undefined), 'device_status,community=demo,device=n-01,deviceType=noise online=false 1795867200000');
  });
});

describe('validateDeviceMessage -> messageToLine', () => {
  it('a payload with unknown fields and values needing escapes becomes exactly one clean line', () => {
    const payload = JSON.stringify({ seq: 4, ts: '2026-11-28T20:00:00+08:00', type: 'fault', code: 'E,1 =x\\', debug: 'dropped' });
    const result = validateDeviceMessage('gc/demo/ev_charger/e-01/event', Buffer.from(payload), TS);
    assert.ok(result.ok);
    assert.equal(messageToLine(result.message, undefined), 'device_event,community=demo,device=e-01,deviceType=ev_charger,type=fault code="E,1 =x\\\\",seq=4i,count=1i 1795867200000');
  });

  it('field order follows the contract schema, not the payload', () => {
    const result = validateDeviceMessage('gc/demo/noise/n-01/telemetry', Buffer.from(JSON.stringify({ battery: 90, l90: 40, laeq: 50, ts: TS })), TS);
    assert.ok(result.ok);
    assert.equal(messageToLine(result.message, registered('n-01', 'noise', { zone: '2' })), 'noise,community=demo,compound=c1,device=n-01,zone=2 laeq=50,l90=40,battery=90,energy=100000 1795867200000');
  });
});
