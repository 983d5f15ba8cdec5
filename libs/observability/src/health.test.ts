import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthReport } from './health.js';

describe('healthReport', () => {
  it('puts status and service first, then the service\'s own details', () => {
    assert.equal(JSON.stringify(healthReport('ingest', true, { mqtt: 'connected' })), '{"status":"ok","service":"ingest","mqtt":"connected"}');
  });

  it('is degraded when not ok', () => {
    assert.equal(healthReport('api', false, {}).status, 'degraded');
  });
});
