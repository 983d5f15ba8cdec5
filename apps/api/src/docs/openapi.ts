import { z } from 'zod';
import { POLICY_SCHEMA } from '#registry';
import { ACK_BODY, ALERT_LIST_QUERY, ALERT_STREAM_QUERY, ASSIGN_BODY, COMMENT_BODY, RESOLVE_BODY } from '../alerts/alert-queries.js';
import { CRITERIA_QUERY, EVIDENCE_QUERY } from '../criteria/criteria-queries.js';
import { READINGS_QUERY } from '../readings/readings-query.js';
import { ATTESTATIONS_QUERY, ATTESTATION_BODY, DELIVERIES_QUERY, DEVICES_QUERY, KEY_BODY } from '../registry/registry.controller.js';

/**
 * The OpenAPI 3.1 document of /api/docs, generated from the same zod schemas that validate the
 * requests, so the document cannot drift from what the API accepts.
 */
interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Path parameters with their patterns. */
  params?: Record<string, string>;
  public?: boolean;
  produces?: string;
  errors?: number[];
}

const ID = '^[a-z0-9][a-z0-9_-]{0,63}$';
const ROUTES: Route[] = [
  { method: 'get', path: '/health', summary: 'Health of the api, its stores and the other services (503 when degraded)', public: true },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics of the api, ingest and broker', public: true, produces: 'text/plain' },
  { method: 'get', path: '/api/communities', summary: 'Communities in the caller\'s scope' },
  { method: 'get', path: '/api/communities/{communityId}', summary: 'A community document (contract YAML as JSON)', params: { communityId: ID } },
  { method: 'put', path: '/api/communities/{communityId}', summary: 'Replace a community document (admin, or a manager of it); written to its file in COMMUNITY_CONFIG_DIR, which the ingest and the rules follow (503 when the file cannot be written)', params: { communityId: ID }, body: z.object({}).passthrough() },
  { method: 'get', path: '/api/devices', summary: 'Devices in scope', query: DEVICES_QUERY },
  { method: 'get', path: '/api/readings', summary: 'One device\'s telemetry, downsampled (noise levels energy-averaged)', query: READINGS_QUERY, errors: [503] },
  { method: 'get', path: '/api/alerts', summary: 'Alerts, newest first', query: ALERT_LIST_QUERY },
  { method: 'get', path: '/api/alerts/stream', summary: 'Server-Sent Events: new and changed alerts in scope; send Last-Event-ID to replay what was missed', query: ALERT_STREAM_QUERY, produces: 'text/event-stream' },
  { method: 'get', path: '/api/alerts/{alertId}', summary: 'An alert with its full history and notification deliveries', params: { alertId: '^[A-Za-z0-9_.:-]{1,128}$' } },
  { method: 'post', path: '/api/alerts/{alertId}/ack', summary: 'Acknowledge an open alert (409 otherwise)', params: { alertId: '^[A-Za-z0-9_.:-]{1,128}$' }, body: ACK_BODY, errors: [409] },
  { method: 'post', path: '/api/alerts/{alertId}/resolve', summary: 'Resolve an alert with a comment', params: { alertId: '^[A-Za-z0-9_.:-]{1,128}$' }, body: RESOLVE_BODY, errors: [409] },
  { method: 'post', path: '/api/alerts/{alertId}/assign', summary: 'Assign an alert to a person', params: { alertId: '^[A-Za-z0-9_.:-]{1,128}$' }, body: ASSIGN_BODY, errors: [409] },
  { method: 'post', path: '/api/alerts/{alertId}/comments', summary: 'Comment on an alert', params: { alertId: '^[A-Za-z0-9_.:-]{1,128}$' }, body: COMMENT_BODY },
  { method: 'get', path: '/api/communities/{communityId}/notification-policy', summary: 'Notification policy (secrets masked)', params: { communityId: ID } },
  { method: 'put', path: '/api/communities/{communityId}/notification-policy', summary: 'Set the notification policy: channels (webhook, wecom, dingtalk, feishu) and quiet hours', params: { communityId: ID }, body: POLICY_SCHEMA },
  { method: 'get', path: '/api/notifications/deliveries', summary: 'Every delivery attempt, newest first', query: DELIVERIES_QUERY },
  { method: 'get', path: '/api/communities/{communityId}/attestations', summary: 'Manual evidence for criteria sensors cannot show', params: { communityId: ID }, query: ATTESTATIONS_QUERY },
  { method: 'post', path: '/api/communities/{communityId}/attestations', summary: 'Record an attestation', params: { communityId: ID }, body: ATTESTATION_BODY },
  { method: 'get', path: '/api/criteria', summary: 'Status of each criterion that has data', query: CRITERIA_QUERY },
  { method: 'get', path: '/api/evidence/{criterion}', summary: 'Evidence report of one criterion (10 and 12 computed from stored data; others 501 for now)', params: { criterion: '^[1-9][0-9]?$' }, query: EVIDENCE_QUERY, errors: [501, 503] },
  { method: 'get', path: '/api/keys', summary: 'API keys (admin)' },
  { method: 'post', path: '/api/keys', summary: 'Create an API key (admin); the key is in the answer, once', body: KEY_BODY },
  { method: 'delete', path: '/api/keys/{keyId}', summary: 'Revoke an API key (admin)', params: { keyId: '^[a-z0-9-]{1,32}$' } },
  { method: 'get', path: '/api/docs', summary: 'This document', public: true },
  { method: 'get', path: '/', summary: 'The dashboard (HTML); it asks for an API key', public: true, produces: 'text/html' },
];

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'bad parameter: `error.parameter` names it',
  401: 'no API key, or an unknown or revoked one',
  403: 'outside the key\'s scope, or an inspector key on a change',
  404: 'no such resource',
  409: 'the alert is not in a state that allows this',
  500: 'unexpected error; the message holds only a reference to the log',
  501: 'not implemented yet',
  503: 'a store the answer needs did not answer',
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const parameters: Record<string, unknown>[] = [];
    for (const [name, pattern] of Object.entries(r.params ?? {})) parameters.push({ name, in: 'path', required: true, schema: { type: 'string', pattern } });
    if (r.query) {
      const s = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(s.properties ?? {})) parameters.push({ name, in: 'query', required: s.required?.includes(name) ?? false, schema });
    }
    if (r.path === '/api/alerts/stream') parameters.push({ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[0-9]+$' } });
    const errors = [400, ...(r.public ? [] : [401, 403]), ...(r.params ? [404] : []), ...(r.errors ?? []), 500];
    const operation: Record<string, unknown> = {
      summary: r.summary,
      ...(r.public ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses: {
        200: { description: 'OK', content: { [r.produces ?? 'application/json']: { schema: r.produces === 'application/json' || !r.produces ? { type: 'object' } : { type: 'string' } } } },
        ...Object.fromEntries(errors.map((code) => [code, { description: ERROR_DESCRIPTIONS[code], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }])),
      },
    };
    (paths[r.path] ??= {})[r.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'greenwatch API', version: '1', description: 'Alerts, registry, readings and evidence for green-community monitoring (contract v1, "HTTP API"). Times in queries: RFC 3339 with offset, or epoch milliseconds.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `npm run cli -- key create --role manager --community <id>`, or ADMIN_API_KEY' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: ['bad_parameter', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'payload_too_large', 'internal', 'not_implemented', 'unavailable'] },
                message: { type: 'string' },
                parameter: { type: 'string', description: 'the query parameter, path parameter, header or body field at fault (400 only)' },
              },
            },
          },
        },
      },
    },
  };
}
