import * as fs from 'fs';
import * as path from 'path';
import { FileSystem, Token, ValidationError } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { MAX_INLINE_SCHEMA_BYTES } from './handler-contract';


/**
 * Largest schema, in UTF-8 bytes, that can be sent at all: UpdateBackendAPI carries it in its
 * request body, and the service's API Gateway front end refuses bodies over 10 MB
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). Some room is kept
 * for the rest of the request and for JSON escaping.
 */
const MAX_SCHEMA_BYTES = 8 * 1024 * 1024;

/** The schema as the construct writes it into the template: inline, or where the file asset lies. */
export interface ApiSchemaConfig {
  /**
   * The schema text, when it stays inline in the resource's properties.
   * @default - none: the schema is in `location`
   */
  readonly inlineSchema?: string;
  /**
   * The S3 object of the file asset holding the schema.
   * @default - none: the schema is in `inlineSchema`
   */
  readonly location?: s3.Location;
}

/**
 * The annotated GraphQL transform schema of a backend API, in the style of aws-cdk-lib's
 * appsync `SchemaFile`: from a file (shipped as a CDK asset and read by the handler with read
 * access to that object only) or from a string (inline up to 32 KiB, else shipped as a file
 * asset too). Any size up to 8 MiB deploys; more fails `cdk synth`.
 *
 * @example
 * new BackendApiConfig(this, 'Api', {
 *   appId: 'd1a2b3c4d5e6f7',
 *   backendEnvironmentName: 'dev',
 *   resourceName: 'blogapi',
 *   transformSchema: ApiSchema.fromFile('amplify/backend/api/blogapi/schema.graphql'),
 * });
 */
export abstract class ApiSchema {
  /**
   * The schema in a file, e.g. `amplify/backend/api/blogapi/schema.graphql`.
   * @param filePath path of the schema file
   */
  public static fromFile(filePath: string): ApiSchema {
    return new FileApiSchema(filePath);
  }

  /**
   * The schema as a string.
   * @param schema the annotated GraphQL transform schema
   */
  public static fromString(schema: string): ApiSchema {
    return new StringApiSchema(schema);
  }

  /**
   * Places the schema under `scope`: as inline text, or as a file asset.
   * @param scope the construct the schema belongs to
   */
  public abstract bind(scope: Construct): ApiSchemaConfig;
}

class FileApiSchema extends ApiSchema {
  public constructor(private readonly filePath: string) {
    super();
  }

  public bind(scope: Construct): ApiSchemaConfig {
    const where = `${scope.node.path}: invalid transformSchema ApiSchema.fromFile(${JSON.stringify(this.filePath)})`;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.filePath);
    } catch {
      throw new ValidationError(`${where}: no such file (resolved to ${path.resolve(this.filePath)}); give the path of the schema file, e.g. "amplify/backend/api/<name>/schema.graphql".`, scope);
    }
    if (!stat.isFile()) throw new ValidationError(`${where}: not a file; give the path of the schema file itself, not a folder.`, scope);
    checkSize(scope, where, stat.size);
    const text = fs.readFileSync(this.filePath, 'utf8');
    if (text.trim().length === 0) throw new ValidationError(`${where}: the file is empty; give a schema, or leave transformSchema out to keep the API's schema.`, scope);
    return { location: asset(scope, this.filePath) };
  }
}

class StringApiSchema extends ApiSchema {
  public constructor(private readonly schema: string) {
    super();
  }

  public bind(scope: Construct): ApiSchemaConfig {
    if (Token.isUnresolved(this.schema)) return { inlineSchema: this.schema };
    const where = `${scope.node.path}: invalid transformSchema ApiSchema.fromString()`;
    if (this.schema.trim().length === 0) throw new ValidationError(`${where}: the schema is empty; give a schema, or leave transformSchema out to keep the API's schema.`, scope);
    const bytes = Buffer.byteLength(this.schema, 'utf8');
    checkSize(scope, where, bytes);
    if (bytes <= MAX_INLINE_SCHEMA_BYTES) return { inlineSchema: this.schema };
    // Too large for the properties: written once per synth into a folder of its own and shipped
    // as a file asset, whose content hash keeps its object key stable across synths.
    const dir = FileSystem.mkdtemp('cdk-amplify-backend-schema-');
    const file = path.join(dir, 'schema.graphql');
    fs.writeFileSync(file, this.schema, 'utf8');
    return { location: asset(scope, file) };
  }
}

function checkSize(scope: Construct, where: string, bytes: number): void {
  if (bytes > MAX_SCHEMA_BYTES) {
    throw new ValidationError(`${where}: the schema has ${bytes.toLocaleString('en-US')} bytes, more than the ${MAX_SCHEMA_BYTES.toLocaleString('en-US')} bytes UpdateBackendAPI can carry (the service's front end refuses request bodies over 10 MB); split the schema or remove unused types.`, scope);
  }
}

function asset(scope: Construct, filePath: string): s3.Location {
  const schemaAsset = new s3assets.Asset(scope, 'TransformSchema', { path: filePath });
  return { bucketName: schemaAsset.s3BucketName, objectKey: schemaAsset.s3ObjectKey };
}
