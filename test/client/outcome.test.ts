// Unit tests of the outcome table: which endings are definite (fail) and which are unknown (info).
import { describe, it, expect } from 'vitest';
import { classify, unreadableSuccess } from '../../src/client/outcome.js';

const body = (code: number, message: string): string => JSON.stringify({ error: message, message, code });

describe('classify', () => {
  it('2xx is ok', () => {
    expect(classify('write', { kind: 'response', status: 200, body: '{}' })).toEqual({ type: 'ok' });
  });

  it('refused connections and connect timeouts are definite for writes', () => {
    expect(classify('write', { kind: 'error', code: 'ECONNREFUSED', message: 'x', connectPhase: false })).toEqual({ type: 'fail', error: 'connection-refused' });
    expect(classify('cas', { kind: 'timeout', connectPhase: true })).toEqual({ type: 'fail', error: 'connect-timeout' });
    expect(classify('put', { kind: 'error', code: 'EHOSTUNREACH', message: 'x', connectPhase: true }).type).toBe('fail');
  });

  it('host unreachable on an established socket is not definite', () => {
    expect(classify('write', { kind: 'error', code: 'EHOSTUNREACH', message: 'x', connectPhase: false }).type).toBe('info');
  });

  it('resets, closed sockets and answer timeouts after sending are unknown for writes', () => {
    expect(classify('write', { kind: 'error', code: 'ECONNRESET', message: 'x', connectPhase: false })).toEqual({ type: 'info', error: 'connection-reset' });
    expect(classify('cas', { kind: 'error', code: 'UND_ERR_SOCKET', message: 'other side closed', connectPhase: false }).type).toBe('info');
    expect(classify('append', { kind: 'timeout', connectPhase: false })).toEqual({ type: 'info', error: 'timeout' });
  });

  it('server timeouts and leader changes are unknown for writes', () => {
    expect(classify('write', { kind: 'response', status: 503, body: body(14, 'etcdserver: request timed out') })).toEqual({
      type: 'info',
      error: 'grpc-14:request timed out',
    });
    expect(classify('cas', { kind: 'response', status: 500, body: body(2, 'context deadline exceeded') }).type).toBe('info');
    expect(classify('put', { kind: 'response', status: 500, body: body(2, 'etcdserver: leader changed') }).type).toBe('info');
    expect(classify('write', { kind: 'response', status: 502, body: 'Bad Gateway' })).toEqual({ type: 'info', error: 'http-502' });
  });

  it('validation errors and too-many-requests are definite', () => {
    expect(classify('write', { kind: 'response', status: 400, body: body(3, 'etcdserver: key is not provided') })).toEqual({
      type: 'fail',
      error: 'grpc-3:key is not provided',
    });
    expect(classify('write', { kind: 'response', status: 429, body: body(8, 'etcdserver: too many requests') }).type).toBe('fail');
    expect(classify('write', { kind: 'response', status: 405, body: 'Method Not Allowed' }).type).toBe('fail');
  });

  it('any failed read is a fail: reads have no effect', () => {
    expect(classify('read', { kind: 'timeout', connectPhase: false }).type).toBe('fail');
    expect(classify('get', { kind: 'response', status: 503, body: body(14, 'etcdserver: request timed out') }).type).toBe('fail');
    expect(classify('read', { kind: 'error', code: 'ECONNRESET', message: 'x', connectPhase: false }).type).toBe('fail');
  });

  it('an unreadable success body is unknown for writes, fail for reads', () => {
    expect(unreadableSuccess('write').type).toBe('info');
    expect(unreadableSuccess('read').type).toBe('fail');
  });
});
