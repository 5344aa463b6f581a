// Scenario kinds by name: a new scenario is one measurement module plus one line here and a preset in scenarios/.
import { grayFailure } from './gray-failure.js';
import { leaderCrash } from './leader-crash.js';
import type { ScenarioModule } from './module.js';
import { membership } from './membership.js';
import { minorityPartition } from './minority-partition.js';
import { phantomLeader } from './phantom-leader.js';
import { quorumMedian } from './quorum-median.js';
import { slowWal } from './slow-wal.js';
import { timeoutRule } from './timeout-rule.js';
import { transferVsCrash } from './transfer-vs-crash.js';

const MODULES: readonly ScenarioModule[] = [grayFailure, leaderCrash, transferVsCrash, slowWal, minorityPartition, membership, quorumMedian, timeoutRule, phantomLeader];

export const scenarioKinds = (): string[] => MODULES.map((m) => m.kind);
export const findModule = (kind: string): ScenarioModule | undefined => MODULES.find((m) => m.kind === kind);
