// The outcome table: turns how an etcd request ended (response, transport error, timeout) into ok / fail / info.
//
// A `fail` tells the checker "this operation certainly did not happen" and lets it drop the op; a wrong
// `fail` hides a lost or phantom write and produces false alarms, so `fail` is given only where the request
// provably never reached the state machine. Everything else that went wrong is `info` (maybe applied, at any
// time after the invocation). Reads have no effect, so any failed read may be `fail` (Jepsen does the same).

/** How one request attempt ended, as seen by the client. */
export type Attempt =
  /** An HTTP response was received (status and raw body). */
  | { kind: 'response'; status: number; body: string }
  /**
   * A transport error. `connectPhase` is true when it happened while opening the TCP connection, i.e. before
   * a single byte of this request could have left the process.
   */
  | { kind: 'error'; code: string; message: string; connectPhase: boolean }
  /** No answer within the per-request timeout. */
  | { kind: 'timeout'; connectPhase: boolean };

export interface Outcome {
  type: 'ok' | 'fail' | 'info';
  /** Short machine-readable reason for fail/info, e.g. "connection-refused", "timeout", "grpc-14:request timed out". */
  error?: string;
}

/** Operations without side effects: any failure of these is a definite `fail`. */
const READ_ONLY = new Set(['read', 'get']);

/**
 * gRPC status codes etcd returns only from checks made before a request is proposed to raft (request
 * validation, the gateway's JSON decoding, compacted-revision reads): the request had no effect.
 * 3 InvalidArgument ("key is not provided", "request is too large", "duplicate key", json decode errors),
 * 11 OutOfRange ("revision has been compacted"). Anything else (14 Unavailable "request timed out",
 * 2 Unknown "leader changed", 4 DeadlineExceeded, ...) may come after the proposal and is ambiguous.
 */
const DEFINITE_GRPC_CODES = new Set([3, 11]);

/**
 * Messages that are definite whatever their code: etcd rejects with "too many requests" before proposing
 * when the applied index lags the committed index (server.go processInternalRaftRequestOnce).
 */
const DEFINITE_MESSAGES = [/etcdserver: too many requests/];

/**
 * Transport errors that can only come from opening a connection, whoever reports them. Others (EHOSTUNREACH,
 * ETIMEDOUT, ...) can also hit an established socket after the request was written, so they count as
 * definite only when the connector itself reported them (`connectPhase`).
 */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']);

/** gRPC-gateway error body: {"error": "...", "message": "...", "code": N}. */
interface GatewayError {
  code?: number;
  message?: string;
  error?: string;
}

function parseGatewayError(body: string): GatewayError | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' ? (v as GatewayError) : undefined;
  } catch {
    return undefined;
  }
}

/** Compacts an etcd message into a reason token: "etcdserver: request timed out" -> "request timed out". */
function shortMessage(m: string): string {
  return m.replace(/^etcdserver: /, '').slice(0, 80);
}

/**
 * Classifies an attempt for operation `f`. A 2xx response is `ok` here; the caller still has to parse the
 * body (and an unparsable 2xx body is itself ambiguous: see `unreadableSuccess`).
 */
export function classify(f: string, a: Attempt): Outcome {
  const readOnly = READ_ONLY.has(f);
  const ambiguous = (error: string): Outcome => ({ type: readOnly ? 'fail' : 'info', error });

  switch (a.kind) {
    case 'response': {
      if (a.status >= 200 && a.status < 300) return { type: 'ok' };
      const err = parseGatewayError(a.body);
      const msg = err?.message ?? err?.error ?? '';
      const reason = err?.code !== undefined ? `grpc-${err.code}:${shortMessage(msg)}` : `http-${a.status}`;
      if (err?.code !== undefined && DEFINITE_GRPC_CODES.has(err.code)) return { type: 'fail', error: reason };
      if (DEFINITE_MESSAGES.some((re) => re.test(msg))) return { type: 'fail', error: reason };
      // The gateway answers 404/405 itself for an unknown route or method: never forwarded to the server.
      if ((a.status === 404 || a.status === 405) && err?.code === undefined) return { type: 'fail', error: reason };
      return ambiguous(reason);
    }
    case 'error':
      if (a.connectPhase || CONNECT_ERRORS.has(a.code)) return { type: 'fail', error: connectReason(a.code) };
      // Reset / closed / broken pipe after the request may have been written: the server may have applied it.
      return ambiguous(a.code === 'ECONNRESET' ? 'connection-reset' : `socket:${a.code}`);
    case 'timeout':
      // A connect that never completed sent nothing; a timeout waiting for the answer is the classic unknown.
      return a.connectPhase ? { type: 'fail', error: 'connect-timeout' } : ambiguous('timeout');
  }
}

function connectReason(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection-refused';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect-timeout';
    default:
      return `connect:${code}`;
  }
}

/** A 2xx response whose body we could not understand: the request ran, so a write may have applied. */
export function unreadableSuccess(f: string): Outcome {
  return { type: READ_ONLY.has(f) ? 'fail' : 'info', error: 'unreadable-response' };
}
