// etcd's JSON gateway (v3 over HTTP POST): the few calls the lab needs — status, members, put, membership, leadership.
import { b64 } from '../client/etcd.js';
import type { MemberInfo } from './system.js';

export class EtcdApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EtcdApiError';
  }
}

/** POSTs a JSON body; throws EtcdApiError with the gateway's own message on a non-2xx answer. */
export async function post<T>(baseUrl: string, path: string, body: unknown, timeoutMs = 2000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(baseUrl + path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new EtcdApiError(`${baseUrl}${path}: ${cause}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try {
      const j = JSON.parse(text) as { error?: string; message?: string };
      msg = j.message ?? j.error ?? text;
    } catch {
      // Not JSON: keep the raw text.
    }
    throw new EtcdApiError(`${baseUrl}${path}: HTTP ${res.status}: ${msg.trim()}`, res.status);
  }
  return JSON.parse(text) as T;
}

interface StatusReply {
  header?: { member_id?: string };
  leader?: string;
  raftIndex?: string;
  raftTerm?: string;
}

export interface EtcdStatus {
  memberId: string;
  /** Absent (zero omitted by the gateway) when the node knows no leader. */
  leaderId?: string;
  raftIndex: number;
  raftTerm: number;
}

export async function status(baseUrl: string, timeoutMs = 1000): Promise<EtcdStatus> {
  const r = await post<StatusReply>(baseUrl, '/v3/maintenance/status', {}, timeoutMs);
  return {
    memberId: r.header?.member_id ?? '',
    leaderId: r.leader && r.leader !== '0' ? r.leader : undefined,
    raftIndex: Number(r.raftIndex ?? 0),
    raftTerm: Number(r.raftTerm ?? 0),
  };
}

interface MemberReply {
  ID?: string;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

const toMember = (m: MemberReply): MemberInfo => ({
  id: m.ID ?? '',
  name: m.name ?? '',
  isLearner: m.isLearner === true,
  peerUrls: m.peerURLs ?? [],
  clientUrls: m.clientURLs ?? [],
});

export async function memberList(baseUrl: string, timeoutMs = 2000): Promise<MemberInfo[]> {
  const r = await post<{ members?: MemberReply[] }>(baseUrl, '/v3/cluster/member/list', {}, timeoutMs);
  return (r.members ?? []).map(toMember);
}

export async function memberRemove(baseUrl: string, id: string): Promise<void> {
  await post(baseUrl, '/v3/cluster/member/remove', { ID: id }, 10_000);
}

/** Adds a member; returns the new member and the whole membership (for --initial-cluster). */
export async function memberAdd(baseUrl: string, peerUrl: string, isLearner: boolean): Promise<{ member: MemberInfo; members: MemberInfo[] }> {
  const r = await post<{ member?: MemberReply; members?: MemberReply[] }>(
    baseUrl,
    '/v3/cluster/member/add',
    { peerURLs: [peerUrl], isLearner },
    10_000,
  );
  return { member: toMember(r.member ?? {}), members: (r.members ?? []).map(toMember) };
}

export async function memberPromote(baseUrl: string, id: string): Promise<void> {
  await post(baseUrl, '/v3/cluster/member/promote', { ID: id }, 10_000);
}

/** Must be sent to the current leader. */
export async function moveLeader(leaderUrl: string, targetId: string): Promise<void> {
  await post(leaderUrl, '/v3/maintenance/transfer-leadership', { targetID: targetId }, 10_000);
}

export async function put(baseUrl: string, key: string, value: string, timeoutMs = 2000): Promise<void> {
  await post(baseUrl, '/v3/kv/put', { key: b64(key), value: b64(value) }, timeoutMs);
}

export async function fetchMetrics(metricsUrl: string, timeoutMs: number): Promise<string> {
  const res = await fetch(metricsUrl + '/metrics', { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new EtcdApiError(`${metricsUrl}/metrics: HTTP ${res.status}`, res.status);
  return res.text();
}
