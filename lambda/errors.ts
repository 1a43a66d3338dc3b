/**
 * The errors the handler throws end up as the resource's status reason in CloudFormation, and
 * CloudFormation refuses a custom resource's answer over 4,096 bytes ("Response object is too
 * long"), which would leave the resource waiting until its ServiceTimeout with the cause lost.
 *
 * How the Provider framework builds the reason (framework.js `invokeUserFunction` and
 * cfn-response.js `safeHandler` in node_modules/aws-cdk-lib/custom-resources/lib/provider-framework/runtime/):
 * Lambda reports a thrown error as `errorMessage: err.message` and `trace: err.stack.split("\n")`;
 * the framework makes `[errorMessage, "", "Logs: /aws/lambda/<function>", ""].join("\n")` the
 * message of a new Error whose stack is that message followed by `trace.slice(1)`, and answers
 * `Reason: e.stack` inside a JSON body that also holds StackId, RequestId, LogicalResourceId,
 * PhysicalResourceId and Data. A multi-line message would come back a second time in the trace.
 *
 * So every error leaves the handler through `toReportedError`:
 * - its message is one line (line breaks become " | ");
 * - the message is cut to `REASON_BUDGET_BYTES` bytes as written in the JSON answer (UTF-8,
 *   after JSON escaping), on a character boundary, ending with a note that says where the full
 *   text is; the full text is logged;
 * - its stack is `Error: <message>` plus at most `STACK_FRAMES` frames, each at most
 *   `FRAME_BYTES` long.
 * Budget: 1,500 (message) + 2 x 200 (frames) + about 100 (the framework's "Logs:" line) leaves
 * about 2,000 bytes for the rest of the answer: a stack ARN (at most about 300), the request ID
 * (36), the logical ID (at most 255), the physical ID and the attributes already returned
 * (BackendApiConfig: at most about 600), and the JSON keys (about 120).
 */

/** Bytes of the message in the JSON answer, the note about the cut included. */
export const REASON_BUDGET_BYTES = 1500;
/** Stack frames kept after the message line. */
const STACK_FRAMES = 2;
/** Bytes of one kept stack frame. */
const FRAME_BYTES = 200;
/** Characters of the full text written to the log (CloudWatch Logs takes events up to 256 KB). */
const LOGGED_CHARS = 100_000;

/** The separator that replaces line breaks in a message. */
const LINE_BREAK = ' | ';

/** The text of anything thrown, on one line: `<message>` for the handler's own errors. */
export function oneLine(text: string): string {
  return text.replace(/\s*(?:\r\n|\r|\n)\s*/g, LINE_BREAK).trim();
}

/** Bytes `text` takes inside a JSON string (without the quotes). */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

/** Where the full text is: the log group Lambda names in AWS_LAMBDA_LOG_GROUP_NAME. */
function whereLogged(): string {
  const group = process.env.AWS_LAMBDA_LOG_GROUP_NAME
    ?? (process.env.AWS_LAMBDA_FUNCTION_NAME ? `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}` : undefined);
  return group ? `the handler's log group ${group}` : "the handler's log";
}

/**
 * `text` if it fits `budget` bytes (as written in JSON), else its longest prefix that fits with
 * the note appended. Cuts between code points, never inside a surrogate pair.
 */
export function cutToBudget(text: string, budget = REASON_BUDGET_BYTES): string {
  if (jsonBytes(text) <= budget) return text;
  const note = ` ... (cut: full text in ${whereLogged()})`;
  let room = budget - jsonBytes(note);
  let kept = '';
  for (const ch of text) {
    const cost = jsonBytes(ch);
    if (cost > room) break;
    kept += ch;
    room -= cost;
  }
  return kept + note;
}

/** Keeps the first bytes of a stack frame, on a character boundary. */
function shortFrame(frame: string): string {
  if (jsonBytes(frame) <= FRAME_BYTES) return frame;
  let out = '';
  for (const ch of frame) {
    if (jsonBytes(out + ch) > FRAME_BYTES - 3) break;
    out += ch;
  }
  return `${out}...`;
}

/** The full one-line text of anything thrown, for the log. */
export function fullText(err: unknown): string {
  const text = oneLine(err instanceof Error ? err.message : String(err));
  return text.length > LOGGED_CHARS ? `${text.slice(0, LOGGED_CHARS)} ... (${text.length - LOGGED_CHARS} more characters)` : text;
}

/**
 * The error to throw out of the handler for anything caught: a one-line message within the
 * budget and a short stack, so the reason CloudFormation shows always fits its answer.
 */
export function toReportedError(err: unknown): Error {
  const message = cutToBudget(oneLine(err instanceof Error ? err.message : String(err)));
  const frames = err instanceof Error && typeof err.stack === 'string'
    ? err.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, STACK_FRAMES).map(shortFrame)
    : [];
  const reported = new Error(message);
  reported.stack = [`Error: ${message}`, ...frames].join('\n');
  return reported;
}

/** One error for every broken input rule, on one line: "2 problems: (1) ... (2) ...". */
export function rulesBroken(errors: string[]): Error {
  return new Error(errors.length === 1 ? errors[0] : `${errors.length} problems: ${errors.map((e, i) => `(${i + 1}) ${e}`).join(' ')}`);
}
