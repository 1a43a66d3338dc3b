import { CfnOutput, Stack, Token, ValidationError } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

const ID = 'AmplifyBackendStackJobs';
/** CloudFormation's limit on outputs per template. */
const MAX_OUTPUTS = 200;

/**
 * What the library keeps per stack, whichever providers its constructs use: which construct
 * configures what (two on the same target would fight, the last one silently winning), the order
 * of the Amplify jobs on each app and environment, and the check of the stack's output count.
 * Found with `tryFindChild` on the stack (never a static map); it adds nothing to the template.
 */
export class StackJobs extends Construct {
  public static of(scope: IConstruct): StackJobs {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(ID) as StackJobs | undefined) ?? new StackJobs(stack, ID);
  }

  private readonly lastJob = new Map<string, Construct>();
  /** The construct that configures each literal target. */
  private readonly owners = new Map<string, Construct>();

  private constructor(stack: Stack, id: string) {
    super(stack, id);
    stack.node.addValidation({ validate: () => validateOutputs(stack) });
  }

  /**
   * Records that `owner` configures the API; fails if another construct of the stack does.
   * Targets given as tokens cannot be compared at synth time and are not recorded.
   */
  public claimApi(appId: string, environment: string, resourceName: string, owner: Construct): void {
    this.claim([appId, environment, resourceName], owner,
      `the API "${resourceName}" of app ${appId}, environment ${environment}`, 'BackendApiConfig');
  }

  /** Records that `owner` configures the app's Admin UI login; fails if another construct of the stack does. */
  public claimLogin(appId: string, owner: Construct): void {
    this.claim([appId], owner, `the Admin UI login of app ${appId}`, 'AdminUiLoginConfig');
  }

  private claim(target: string[], owner: Construct, what: string, kind: string): void {
    if (target.some((t) => Token.isUnresolved(t))) return;
    const key = `${kind}\u0000${target.join('\u0000')}`;
    const first = this.owners.get(key);
    if (first) {
      throw new ValidationError(`${kind} ${owner.node.path}: ${what} is already configured by ${first.node.path}; two ${kind}s on one target would overwrite each other on every deployment, the last one winning. Keep one of them.`, owner);
    }
    this.owners.set(key, owner);
  }

  /**
   * The service allows one pending job per app and environment, so each resource on a target
   * waits for the one before it.
   * @returns the resource the new one must depend on, if any
   */
  public enqueue(appId: string, environment: string, resource: Construct): Construct | undefined {
    const key = `${appId}\u0000${environment}`;
    const previous = this.lastJob.get(key);
    this.lastJob.set(key, resource);
    return previous;
  }
}

function validateOutputs(stack: Stack): string[] {
  const outputs = stack.node.findAll().filter((c) => c instanceof CfnOutput).length;
  if (outputs <= MAX_OUTPUTS) return [];
  return [`Stack ${stack.stackName} has ${outputs} outputs, more than CloudFormation's limit of ${MAX_OUTPUTS} outputs; BackendApiConfig adds 2 outputs (JobId, Status) and AdminUiLoginConfig 1 output (BackendManagerAppId) unless told not to: set \`stackOutputs: false\` on these constructs and read their attributes (jobId, status, backendManagerAppId) instead.`];
}
