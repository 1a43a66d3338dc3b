/**
 * Reads a transform schema shipped as a CDK file asset: one SigV4-signed S3 GetObject, made with
 * what the AmplifyBackend client already bundles (its credentials, region, SHA-256 and HTTP
 * handler with its timeouts) and @smithy/signature-v4, which that client uses to sign its own
 * calls. @aws-sdk/client-s3 would add its whole protocol stack to the handler bundle for this
 * one GET.
 *
 * Endpoint: `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`), as the SDKs honour them, path-style
 * (`<endpoint>/<bucket>/<key>`); otherwise the regional endpoint, virtual-hosted style
 * (`https://<bucket>.s3.<region>.amazonaws.com/<key>`) for a bucket name that is a DNS label,
 * path-style otherwise.
 */
import { partition } from '@aws-sdk/core/client';
import { SignatureV4 } from '@smithy/signature-v4';
import { MAX_ATTEMPTS, amplifyBackend, isAccessDenied, isTransient } from './service';
import type { SchemaLocationProperties } from '../src/handler-contract';

/** An S3 error answer: `name` is S3's error code, as the SDK would name it. */
class S3Error extends Error {
  readonly $metadata: { readonly httpStatusCode: number };
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/** RFC 3986 encoding of one path segment, as S3's canonical URI wants it. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A bucket name usable as a DNS label under TLS (no dots). */
const DNS_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The URL of the object: see the file comment. */
export function objectUrl(loc: SchemaLocationProperties, region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const key = loc.Key.split('/').map(encodeSegment).join('/');
  const custom = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (custom) {
    const base = new URL(custom);
    return new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}/${encodeSegment(loc.Bucket)}/${key}`);
  }
  // The partition's DNS suffix (amazonaws.com, amazonaws.com.cn, c2s.ic.gov, ...), as the SDK resolves it.
  const suffix = partition(region).dnsSuffix;
  return DNS_BUCKET.test(loc.Bucket)
    ? new URL(`https://${loc.Bucket}.s3.${region}.${suffix}/${key}`)
    : new URL(`https://s3.${region}.${suffix}/${encodeSegment(loc.Bucket)}/${key}`);
}

async function readAll(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (body) for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function xmlValue(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

async function getOnce(loc: SchemaLocationProperties): Promise<Buffer> {
  const config = amplifyBackend().config;
  const region = await config.region();
  const url = objectUrl(loc, region);
  const signer = new SignatureV4({
    service: 's3',
    region,
    credentials: config.credentials,
    sha256: config.sha256,
    // The path is encoded once, above, as S3 signs it.
    uriEscapePath: false,
  });
  const request = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    headers: { 'host': url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  const { response } = await config.requestHandler.handle(request as Parameters<typeof config.requestHandler.handle>[0]);
  const body = await readAll(response.body as AsyncIterable<Uint8Array> | undefined);
  if (response.statusCode === 200) return body;
  const xml = body.toString('utf8');
  throw new S3Error(
    xmlValue(xml, 'Code') ?? `HTTP${response.statusCode}`,
    xmlValue(xml, 'Message') ?? (xml.trim().slice(0, 200) || `S3 answered HTTP ${response.statusCode}`),
    response.statusCode,
  );
}

/**
 * The object's text. Throttling, 5xx and network errors are tried again, `MAX_ATTEMPTS` attempts
 * in all, as the SDK does for its own calls; the last error is thrown as S3 answered it.
 */
export async function readSchema(loc: SchemaLocationProperties): Promise<string> {
  let body: Buffer | undefined;
  for (let attempt = 1; body === undefined; attempt++) {
    try {
      body = await getOnce(loc);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isTransient(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 100 * 2 ** attempt));
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new Error('the object is not UTF-8 text; ApiSchema.fromFile() reads a UTF-8 GraphQL file');
  }
  if (text.trim().length === 0) throw new Error('the object is empty; give a non-empty GraphQL schema');
  return text;
}

/** What to check when reading the schema fails with `err`. */
export function schemaHint(loc: SchemaLocationProperties, err: unknown): string | undefined {
  if (isAccessDenied(err)) {
    return `check that the provider's role allows s3:GetObject on arn:<partition>:s3:::${loc.Bucket}/${loc.Key} `
      + '(the construct grants it; a role imported with mutable: false needs it attached), and kms:Decrypt if the bucket uses a KMS key; '
      + 'S3 also answers AccessDenied for a missing object to a role that may not list the bucket: check that the asset was published';
  }
  const name = (err as { name?: string }).name;
  if (name === 'NoSuchKey' || name === 'NoSuchBucket') {
    return 'the asset is not in the bootstrap bucket: deploy with `cdk deploy`, which publishes the stack\'s file assets first';
  }
  return undefined;
}
