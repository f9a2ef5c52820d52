/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 document generated from the route table, with request
 * and response schemas converted from the routes' zod schemas (`z.toJSONSchema`). The journey
 * document and its recursive condition language are shared components. Parts zod cannot express
 * in JSON Schema (refinements such as duration syntax) come out as their base type, or `{}`.
 */
import { Condition, JourneyDocument } from '@waymark/core';
import { z } from 'zod';
import { ERROR_CODES } from '../errors.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { ErrorSchema, componentName } from './schemas.ts';
import { SERVER_VERSION } from './status.page.ts';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

/**
 * Schemas with fixed component names per direction. Condition is recursive: it must be a named
 * component, or zod would put it under a `__shared` entry no `$ref` can point into.
 */
const SHARED: Array<{ schema: z.ZodType; input?: string; output?: string }> = [
  { schema: JourneyDocument, input: 'JourneyDocument', output: 'JourneyDefinition' },
  { schema: Condition, input: 'Condition', output: 'Condition' },
  { schema: ErrorSchema, output: 'Error' },
];

/**
 * Collects schemas and converts them in one pass per direction (requests are documented as
 * input, responses as output), so schemas used more than once become `$ref`s to components.
 */
class Components {
  readonly #registries = {
    input: z.registry<{ id: string }>(),
    output: z.registry<{ id: string }>(),
  };

  /** A reference to `schema`'s component; `fallback` names it unless it has a name already. */
  ref(schema: z.ZodType, io: Io, fallback: string): { $ref: string } {
    const registry = this.#registries[io];
    if (!registry.has(schema)) {
      const id = SHARED.find((s) => s.schema === schema)?.[io] ?? componentName(schema) ?? fallback;
      registry.add(schema, { id });
    }
    return { $ref: `#/components/schemas/${registry.get(schema)?.id ?? fallback}` };
  }

  toJson(): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    for (const io of ['input', 'output'] as const) {
      const registry = this.#registries[io];
      for (const shared of SHARED) {
        const id = shared[io];
        if (id && !registry.has(shared.schema)) registry.add(shared.schema, { id });
      }
      const { schemas } = z.toJSONSchema(registry, {
        io,
        target: 'draft-2020-12',
        unrepresentable: 'any',
        uri: (id) => `#/components/schemas/${id}`,
      });
      for (const [id, schema] of Object.entries(schemas)) {
        const { $schema: _s, $id: _i, ...rest } = schema as JsonSchema;
        if (id in out && JSON.stringify(out[id]) !== JSON.stringify(rest)) {
          throw new Error(`OpenAPI component ${id} differs between requests and responses`);
        }
        out[id] = rest;
      }
    }
    return out;
  }
}

function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function objectProperties(schema: z.ZodType | undefined): Array<[string, z.ZodType, boolean]> {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, s]) => [
    name,
    s,
    !s.safeParse(undefined).success,
  ]);
}

function parameters(route: AnyRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    for (const [name, s, required] of objectProperties(schema)) {
      const json = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      const { $schema: _s, description, ...rest } = json;
      out.push({
        name,
        in: where,
        required: where === 'path' || required,
        description,
        schema: rest,
      });
    }
  }
  return out;
}

/** Who may call a route, per kind of auth: operators by token or session cookie. */
const SECURITY: Record<AnyRoute['auth'], JsonSchema[]> = {
  none: [],
  write: [{ writeKey: [] }],
  admin: [{ adminToken: [] }, { session: [] }],
  user: [{ adminToken: [] }, { session: [] }],
};

function operation(route: AnyRoute, components: Components): JsonSchema {
  const op: JsonSchema = {
    operationId: route.id,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: SECURITY[route.auth],
    ...(route.role ? { 'x-waymark-role': route.role } : {}),
  };
  const params = parameters(route);
  if (params.length) op.parameters = params;
  const bodies = route.bodyDoc ?? (route.body ? { 'application/json': route.body } : undefined);
  if (bodies) {
    const content: JsonSchema = {};
    for (const [type, schema] of Object.entries(bodies)) {
      content[type] = { schema: components.ref(schema, 'input', `${route.id}_body`) };
    }
    op.requestBody = {
      required: route.body ? !route.body.safeParse(undefined).success : true,
      content,
    };
  }
  const status = String(route.status ?? 200);
  const produces = route.produces ?? 'application/json';
  const responses: JsonSchema = {
    [status]:
      status === '204'
        ? { description: 'no content' }
        : {
            description: 'success',
            content: {
              [produces]: {
                schema:
                  produces === 'application/json'
                    ? components.ref(route.response, 'output', `${route.id}_response`)
                    : { type: 'string' },
              },
            },
          },
  };
  const codes = new Set(route.errors ?? []);
  if (route.auth !== 'none') codes.add('unauthorized');
  if (route.role) codes.add('forbidden');
  codes.add('internal');
  for (const code of codes) {
    const s = String(ERROR_CODES[code]);
    const prior = responses[s] as { description: string } | undefined;
    responses[s] = {
      description: prior ? `${prior.description}, ${code}` : code,
      content: { 'application/json': { schema: components.ref(ErrorSchema, 'output', 'Error') } },
    };
  }
  op.responses = responses;
  return op;
}

/** Builds the OpenAPI 3.1 document of a route table. */
export function openApiDocument(routes: AnyRoute[]): JsonSchema {
  const components = new Components();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Waymark',
      version: SERVER_VERSION,
      description:
        'Customer-journey engine. `/v1/*` is the Segment HTTP tracking API (HTTP Basic: write key as user name, empty password). `/api/*` is the admin API (Authorization: Bearer <admin token or personal token>, or the operator app session cookie; `x-waymark-role` is the least role a route needs).',
    },
    paths,
    components: {
      schemas: components.toJson(),
      securitySchemes: {
        writeKey: {
          type: 'http',
          scheme: 'basic',
          description: 'write key as user name, empty password',
        },
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            "a workspace's admin token (acts as its admin), or a personal token `wm_pat_…`",
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'waymark_session',
          description: "the operator app's session (POST /api/session); writes send X-CSRF-Token",
        },
      },
    },
  };
}

/** The route serving the document of `routes()` (read at first request, then cached). */
export function openApiRoute(routes: () => AnyRoute[]): AnyRoute {
  let document: JsonSchema | undefined;
  return defineRoute({
    id: 'openapi',
    method: 'GET',
    url: '/api/openapi.json',
    auth: 'none',
    tag: 'meta',
    summary: 'This OpenAPI document',
    response: z.record(z.string(), z.unknown()),
    async handler() {
      document ??= openApiDocument(routes());
      return document;
    },
  });
}
