/**
 * A tiny local S3 endpoint that serves a stack's CDK file assets to the functions that read them:
 * `GET /<bucket>/<key>` (path-style) on 127.0.0.1, the bucket and key being the destination the
 * asset manifest names. Functions get its URL as `AWS_ENDPOINT_URL_S3`.
 *
 * As S3 would, it wants a SigV4 `Authorization` header scoped to service `s3` and the stack's
 * region, signed with the secret key of the role session the access key belongs to (the session
 * token sent with it), plus `x-amz-content-sha256` (taken as sent: the payload of a GET is empty);
 * and it lets the caller read an object only when an identity-based policy of the caller's role allows
 * `s3:GetObject` on `arn:aws:s3:::<bucket>/<key>` (see `./iam.ts`). A missing key is a 404
 * NoSuchKey only for a caller that may `s3:ListBucket` the bucket; for anyone else S3 answers 403
 * AccessDenied. Errors are S3's XML `<Error>` documents. Every request is recorded.
 */
import { createHash, createHmac, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';

/** Who a request's access key belongs to: a function's role session. */
export interface S3Principal {
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session>`, as S3 names the caller. */
  readonly arn: string;
  readonly roleId: string;
  /** The session's secret key and token, which S3 checks the request's signature and token against. */
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

export interface S3Backend {
  readonly region: string;
  /** The object at a bucket and key, from the current assembly's asset manifest. */
  object(bucket: string, key: string): { path: string; packaging: 'file' | 'zip' } | undefined;
  principal(accessKeyId: string): S3Principal | undefined;
  /** IAM's decision for the principal's role. */
  authorize(principal: S3Principal, action: string, resourceArn: string): 'allowed' | 'explicitDeny' | 'implicitDeny';
  now(): number;
}

/** One request the endpoint received. */
export interface S3Request {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly accessKeyId?: string;
  /** The caller, when the access key is a known role's. */
  readonly principal?: string;
  readonly status: number;
  /** S3's error code, for an error. */
  readonly code?: string;
  /** Virtual epoch ms. */
  readonly at: number;
}

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]+)/s;

export class LocalS3 {
  static async start(backend: S3Backend): Promise<LocalS3> {
    const s3 = new LocalS3(backend);
    await new Promise<void>((resolve, reject) => {
      s3.server.once('error', reject);
      s3.server.listen(0, '127.0.0.1', () => resolve());
    });
    s3.server.unref();
    s3.endpoint = `http://127.0.0.1:${(s3.server.address() as AddressInfo).port}`;
    return s3;
  }

  /** Base URL, for AWS_ENDPOINT_URL_S3. */
  endpoint = '';
  /** Every request received, in order. */
  readonly requests: S3Request[] = [];
  private readonly server: http.Server;

  private constructor(private readonly backend: S3Backend) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const method = req.method ?? 'GET';
    const auth = AUTH_RE.exec(String(req.headers.authorization ?? ''));
    const record = (status: number, extra: Partial<S3Request> = {}) => {
      this.requests.push({ method, bucket: decodeURIComponent(bucket), key, status, at: this.backend.now(), ...extra });
    };
    const fail = (status: number, code: string, message: string, extra: Partial<S3Request> = {}) => {
      record(status, { code, ...extra });
      const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
      res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>`
        + `<RequestId>${requestId}</RequestId><HostId>${Buffer.from(requestId).toString('base64')}</HostId></Error>`);
    };
    req.resume();

    if (!auth || auth[4] !== 's3') return fail(403, 'AccessDenied', 'Access Denied');
    const accessKeyId = auth[1];
    if (auth[3] !== this.backend.region) {
      return fail(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${auth[3]}' is wrong; expecting '${this.backend.region}'`, { accessKeyId });
    }
    if (!req.headers['x-amz-content-sha256']) {
      return fail(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', { accessKeyId });
    }
    const principal = this.backend.principal(accessKeyId);
    if (!principal) return fail(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { accessKeyId });
    const who = { accessKeyId, principal: principal.arn };
    if (req.headers['x-amz-security-token'] !== principal.sessionToken) {
      return fail(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.', who);
    }
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!/^\d{8}T\d{6}Z$/.test(amzDate)) return fail(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header', who);
    if (auth[6] !== signature(req, auth, amzDate, principal.secretAccessKey)) {
      return fail(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', who);
    }
    if (method !== 'GET' && method !== 'HEAD') return fail(405, 'MethodNotAllowed', `The specified method is not allowed against this resource (the stand-in serves GetObject only): ${method}`, who);
    if (!bucket || !key) return fail(400, 'InvalidRequest', `The stand-in serves path-style GetObject only (GET /<bucket>/<key>), got ${url.pathname}`, who);

    const objectArn = `arn:aws:s3:::${decodeURIComponent(bucket)}/${key}`;
    const decision = this.backend.authorize(principal, 's3:GetObject', objectArn);
    if (decision !== 'allowed') {
      const why = decision === 'explicitDeny' ? 'with an explicit deny in an identity-based policy' : 'because no identity-based policy allows the s3:GetObject action';
      return fail(403, 'AccessDenied', `User: ${principal.arn} is not authorized to perform: s3:GetObject on resource: "${objectArn}" ${why}`, who);
    }
    const object = this.backend.object(decodeURIComponent(bucket), key);
    if (!object) {
      const bucketArn = `arn:aws:s3:::${decodeURIComponent(bucket)}`;
      if (this.backend.authorize(principal, 's3:ListBucket', bucketArn) === 'allowed') {
        return fail(404, 'NoSuchKey', 'The specified key does not exist.', who);
      }
      return fail(403, 'AccessDenied', `User: ${principal.arn} is not authorized to perform: s3:ListBucket on resource: "${bucketArn}" because no identity-based policy allows the s3:ListBucket action`, who);
    }
    if (object.packaging !== 'file' || !fs.statSync(object.path).isFile()) {
      return fail(501, 'NotImplemented', `The S3 stand-in serves file assets only; ${key} is a folder that CDK uploads as a zip`, who);
    }
    const body = fs.readFileSync(object.path);
    record(200, who);
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
      'etag': `"${createHash('md5').update(body).digest('hex')}"`,
      'last-modified': new Date(this.backend.now()).toUTCString(),
    });
    res.end(method === 'HEAD' ? undefined : body);
  }
}

/**
 * The SigV4 signature S3 computes for a request (header-based, as S3 canonicalizes it: the path as
 * sent, encoded once; the signed headers' values trimmed; the payload hash as sent).
 */
function signature(req: http.IncomingMessage, auth: RegExpExecArray, amzDate: string, secretAccessKey: string): string {
  const [, , date, region, service, signedHeaders] = auth;
  const [pathPart, query = ''] = (req.url ?? '/').split('?');
  const canonicalQuery = query.split('&').filter(Boolean).sort().join('&');
  const headers = signedHeaders.split(';').map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, pathPart, canonicalQuery, headers, signedHeaders, req.headers['x-amz-content-sha256']].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer | string>((k, part) => createHmac('sha256', k).update(part).digest(), `AWS4${secretAccessKey}`);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', '\'': '&apos;' }[c]!));
}
