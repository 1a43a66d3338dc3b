/**
 * The AmplifyBackend emulator's HTTP side: the server, SigV4 scope check, routing, the order of
 * checks per request, restJson1 answers, and the request log. What an operation does is
 * `./state.ts`; injected faults are `./faults.ts`.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { badRequest, clone, compact, ServiceError } from './errors';
import type { FaultInjector } from './faults';
import { matchRoute, OperationName, RouteMatch, validateShape } from './model';
import type { BackendState } from './state';
import type { RecordedRequest } from './types';

/** Signing name the emulator accepts in the SigV4 credential scope. */
export const SIGNING_SERVICE = 'amplifybackend';

type MutableRecord = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,/;

interface ParsedAuth {
  accessKeyId: string;
  region: string;
  service: string;
}

function parseAuthorization(header: string | undefined): ParsedAuth | undefined {
  if (!header) return undefined;
  const m = AUTH_RE.exec(header);
  if (!m || !/Signature=[0-9a-f]+/.test(header)) return undefined;
  return { accessKeyId: m[1], region: m[3], service: m[4] };
}

export class EmulatorHttp {
  endpoint = '';
  private readonly server: http.Server;
  private log: MutableRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private requestSeq = 0;

  constructor(private readonly state: BackendState, private readonly faults: FaultInjector, private readonly now: () => number) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
          res.end(JSON.stringify({ message: `Emulator bug: ${String(err)}` }));
        }
      });
    });
  }

  /** Listens on 127.0.0.1 and a random free port. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Closes the server and every open connection (keep-alive sockets included). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Requests received so far (copies, arrival order), optionally only those routed to `operation`. */
  requests(operation?: OperationName): RecordedRequest[] {
    return this.log.filter((r) => operation === undefined || r.operation === operation).map((r) => clone(r) as RecordedRequest);
  }

  /** The last request received (optionally of one operation), or undefined. */
  lastRequest(operation?: OperationName): RecordedRequest | undefined {
    const all = this.requests(operation);
    return all[all.length - 1];
  }

  /** Empties the request log. */
  clearRequests(): void {
    this.log = [];
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const time = this.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const rawPath = (req.url ?? '/').split('?')[0];

    let route: RouteMatch | undefined;
    let badLabel = false;
    try {
      route = matchRoute(method, rawPath);
    } catch {
      badLabel = true;
    }
    let parsed: unknown;
    let bodyIsJson = true;
    if (rawBody.trim() !== '') {
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        bodyIsJson = false;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const auth = parseAuthorization(req.headers.authorization);

    const record: MutableRecord = {
      seq: ++this.requestSeq,
      operation: route?.spec.name,
      method,
      path: rawPath,
      labels: route?.labels ?? {},
      body: parsed,
      rawBody,
      headers,
      region: auth?.region,
      accessKeyId: auth?.accessKeyId,
      status: 0,
      time,
    };
    this.log.push(record);

    const send = (status: number, payload: Record<string, unknown>, errorType?: string): void => {
      record.status = status;
      record.response = payload;
      if (errorType) record.errorType = errorType;
      const responseHeaders: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() };
      if (errorType) responseHeaders['x-amzn-errortype'] = errorType;
      res.writeHead(status, responseHeaders);
      res.end(JSON.stringify(payload));
    };
    const sendError = (err: ServiceError): void => send(err.status, { message: err.message, ...err.extra }, err.errorType);

    if (!auth) {
      return sendError(new ServiceError(403, 'UnrecognizedClientException',
        'Missing or malformed SigV4 Authorization header (AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/amplifybackend/aws4_request, ...)'));
    }
    if (auth.service !== SIGNING_SERVICE) {
      return sendError(new ServiceError(403, 'UnrecognizedClientException',
        `Credential should be scoped to correct service: '${SIGNING_SERVICE}', got '${auth.service}'`));
    }
    if (badLabel) return sendError(badRequest(`Malformed URL encoding in path: ${rawPath}`));
    if (!route) {
      return sendError(new ServiceError(404, 'UnknownOperationException',
        `No AmplifyBackend operation (implemented by the emulator) for ${method} ${rawPath}`));
    }
    const operation = route.spec.name;

    const delay = this.faults.takeFault(operation, true);
    if (delay && delay.kind === 'delay') await this.sleep(delay.delayMs);
    const fault = this.faults.takeFault(operation, false);
    if (fault) return sendError(this.faults.faultError(fault, operation));

    try {
      let input: Record<string, unknown> = {};
      if (route.spec.input) {
        if (!bodyIsJson) throw badRequest('Request body is not valid JSON');
        const candidate = parsed === undefined ? {} : parsed;
        const problem = validateShape(candidate, route.spec.input, '');
        if (problem) throw badRequest(problem);
        input = candidate as Record<string, unknown>;
      }
      this.state.settle();
      const payload = this.state.dispatch(operation, route.labels, input);
      send(200, compact(payload));
    } catch (err) {
      if (err instanceof ServiceError) return sendError(err);
      throw err;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

}
