import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthHttpStatus, healthReport } from './health.js';

describe('healthReport', () => {
  it('puts status and service first, then the service\'s own details', () => {
    assert.equal(JSON.stringify(healthReport('ingest', true, { mqtt: 'connected' })), '{"status":"ok","service":"ingest","mqtt":"connected"}');
  });

  it('is degraded when not ok', () => {
    assert.equal(healthReport('api', false, {}).status, 'degraded');
  });

  it('answers 200 when ok and 503 when degraded', () => {
    assert.equal(healthHttpStatus(healthReport('rules', true, {})), 200);
    assert.equal(healthHttpStatus(healthReport('rules', false, {})), 503);
  });
});
