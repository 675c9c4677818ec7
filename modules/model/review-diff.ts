/**
 * What a change grants or revokes: two review models (review.json of a base and a head synthesis)
 * compared by effect, not by text. Each role's statements from both sides are evaluated on the
 * union of both sides' resources plus probes (another repository of the account, a repository of
 * another account, another bucket), so reordered or merged statements show no change and a widening
 * to a wildcard shows as "any other repository". Every change is classified: broadening, narrowing
 * or neutral. docs/review-json.md#review-diffjson documents the output.
 */
import { ECR_PULL_ACTIONS, ECR_PULL_THROUGH_ACTIONS, ECR_REPOSITORY_WRITE_ACTIONS } from "../iam/ecr-action-sets";
import { EvaluatedStatement, evaluate } from "../iam/policy-evaluation";
import type { ModelFleet, ModelResource, ReviewModel } from "./review-model";
import { REVIEW_DIFF_VERSION } from "./review-versions";
import { READ_WORDS, writtenWords } from "./read-kinds";

export { REVIEW_DIFF_VERSION } from "./review-versions";

export type ChangeClass = "broadening" | "narrowing" | "neutral";

export type ChangeKind = "fleet" | "permission" | "trust" | "path" | "acknowledgement" | "rule" | "version";

export interface Change {
  readonly kind: ChangeKind;
  readonly class: ChangeClass;
  readonly fleet?: string;
  readonly role?: string;
  /** What a reviewer reads, one line of Markdown. */
  readonly text: string;
  /** The facts behind the line, for tools. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface ReviewDiff {
  readonly schema: "gitlab-runner-ecr/review-diff";
  readonly version: typeof REVIEW_DIFF_VERSION;
  readonly base: { readonly stack: string; readonly label: string };
  readonly head: { readonly stack: string; readonly label: string };
  readonly counts: { readonly [C in ChangeClass]: number };
  /** Broadening first, then narrowing, then neutral; within a class by fleet and kind. */
  readonly changes: readonly Change[];
}

/** What an action does, for grouping a role's gains and losses. */
export type ActionGroup = "pull" | "push" | "pull-through import" | "cache" | "other";

export function actionGroup(action: string): ActionGroup {
  if ((ECR_PULL_ACTIONS as readonly string[]).includes(action) || action === "ecr:GetAuthorizationToken") return "pull";
  if ((ECR_REPOSITORY_WRITE_ACTIONS as readonly string[]).includes(action)) return "push";
  if ((ECR_PULL_THROUGH_ACTIONS as readonly string[]).includes(action)) return "pull-through import";
  if (action.startsWith("s3:")) return "cache";
  return "other";
}

const ECR_ACTIONS = [...ECR_PULL_ACTIONS, ...ECR_REPOSITORY_WRITE_ACTIONS, ...ECR_PULL_THROUGH_ACTIONS];
const S3_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion"];
const S3_BUCKET_ACTIONS = ["s3:ListBucket", "s3:DeleteBucket", "s3:PutBucketPolicy"];

interface Target {
  readonly key: string;
  readonly label: string;
  readonly kind: ModelResource["kind"] | "probe-ecr" | "probe-s3-bucket" | "probe-s3-objects";
  readonly arn: string;
  readonly probe: string;
  readonly accountId?: string;
}

/** Resources both sides are evaluated on: every resource either names, and probes for wildcards. */
function targets(base: ReviewModel | undefined, head: ReviewModel): Target[] {
  const out = new Map<string, Target>();
  for (const model of [head, ...(base ? [base] : [])]) {
    for (const r of model.resources) {
      if (!out.has(r.arn))
        out.set(r.arn, { key: r.arn, label: r.label, kind: r.kind, arn: r.arn, probe: r.probe, accountId: model.accountId });
    }
  }
  const { partition, region, accountId } = head;
  if (region !== undefined && accountId !== undefined) {
    const repo = (account: string, label: string) => ({
      key: `probe:${label}`,
      label,
      kind: "probe-ecr" as const,
      arn: `arn:${partition}:ecr:${region}:${account}:repository/*`,
      probe: `arn:${partition}:ecr:${region}:${account}:repository/gitlab-runner-ecr-review-probe/image`,
      accountId: account,
    });
    const other = accountId === "999999999999" ? "888888888888" : "999999999999";
    for (const t of [
      repo(accountId, `any other repository of account \`${accountId}\``),
      repo(other, "a repository of another account"),
      {
        key: "probe:bucket",
        label: "any other S3 bucket",
        kind: "probe-s3-bucket" as const,
        arn: `arn:${partition}:s3:::*`,
        probe: `arn:${partition}:s3:::gitlab-runner-ecr-review-probe`,
        accountId,
      },
      {
        key: "probe:objects",
        label: "objects of any other S3 bucket",
        kind: "probe-s3-objects" as const,
        arn: `arn:${partition}:s3:::*/*`,
        probe: `arn:${partition}:s3:::gitlab-runner-ecr-review-probe/key`,
        accountId,
      },
    ])
      out.set(t.key, t);
  }
  return [...out.values()];
}

function actionsFor(target: Target, named: readonly string[]): string[] {
  const ecr = target.kind === "ecr-repository" || target.kind === "ecr-pull-through-prefix" || target.kind === "probe-ecr";
  const objects = target.kind === "s3-objects" || target.kind === "probe-s3-objects";
  const bucket = target.kind === "s3-bucket" || target.kind === "probe-s3-bucket";
  if (ecr) return [...new Set([...ECR_ACTIONS, ...named.filter((a) => a.startsWith("ecr:") && a !== "ecr:GetAuthorizationToken")])];
  if (objects) return [...new Set([...S3_OBJECT_ACTIONS, ...named.filter((a) => a.startsWith("s3:"))])];
  if (bucket) return [...new Set([...S3_BUCKET_ACTIONS, ...named.filter((a) => a.startsWith("s3:"))])];
  // "*" and what only policies name (the module's logs, SSM, EC2 …): the actions the statements name.
  return named.filter((a) => !a.startsWith("ecr:") || a === "ecr:GetAuthorizationToken" || target.kind === "any");
}

type Decision = "yes" | "if" | "no";

function decide(statements: readonly EvaluatedStatement[], action: string, target: Target): Decision {
  const exact = target.kind === "any" || target.kind === "other" ? target.arn : target.probe;
  const s3: Record<string, string> =
    action.startsWith("s3:") && target.accountId !== undefined ? { "s3:ResourceAccount": target.accountId } : {};
  if (evaluate(statements, action, exact, s3) === "Allowed") return "yes";
  // Allowed where some statement's condition holds: the same request with the Allows' conditions left out.
  const unconditional = statements.map((st) =>
    st.effect === "Allow" && st.condition !== undefined ? { ...st, condition: undefined } : st,
  );
  return evaluate(unconditional, action, exact, s3) === "Allowed" ? "if" : "no";
}

/** Per role: what it may do on each target, by action, from its statements. */
function permissionChanges(base: ReviewModel | undefined, head: ReviewModel): Change[] {
  const roleIds = [...new Set([...(base?.roles ?? []).map((r) => r.id), ...head.roles.map((r) => r.id)])].sort();
  const all = targets(base, head);
  const changes: Change[] = [];
  for (const id of roleIds) {
    const before = base?.roles.find((r) => r.id === id);
    const after = head.roles.find((r) => r.id === id);
    const role = (after ?? before)!;
    const named = [
      ...new Set([...(before?.statements ?? []), ...(after?.statements ?? [])].flatMap((s) => (s.notActions ? [] : s.actions))),
    ];
    const gained = new Map<string, { target: Target; actions: string[]; conditional: boolean }>();
    const lost = new Map<string, { target: Target; actions: string[]; conditional: boolean }>();
    const everywhere: Target = { key: "*", label: "any (`*`)", kind: "any", arn: "*", probe: "*" };
    for (const target of all) {
      for (const action of actionsFor(target, named)) {
        const a = before ? decide(before.statements, action, target) : "no";
        const b = after ? decide(after.statements, action, target) : "no";
        if (a === b) continue;
        // On an ARN only a policy names (a log group, a parameter), a change that is the same on
        // every resource is the "*" target's change: said once there, not once per ARN.
        if (
          target.kind === "other" &&
          a === (before ? decide(before.statements, action, everywhere) : "no") &&
          b === (after ? decide(after.statements, action, everywhere) : "no")
        )
          continue;
        const rank = { no: 0, if: 1, yes: 2 } as const;
        const into = rank[b] > rank[a] ? gained : lost;
        const key = `${actionGroup(action)}|${target.key}`;
        const entry = into.get(key) ?? { target, actions: [], conditional: (rank[b] > rank[a] ? b : a) === "if" };
        entry.actions.push(action);
        into.set(key, entry);
      }
    }
    const who = `Fleet \`${role.fleet}\`, ${role.kind === "manager" ? "manager" : "workers"} role${role.runsJobs ? " (its jobs hold it)" : ""}`;
    for (const [map, cls, verb] of [
      [gained, "broadening", "may now"],
      [lost, "narrowing", "may no longer"],
    ] as const) {
      for (const [key, { target, actions, conditional }] of [...map].sort(([a], [b]) => a.localeCompare(b))) {
        const group = key.split("|")[0] as ActionGroup;
        const list = actions
          .sort()
          .map((a) => `\`${a}\``)
          .join(", ");
        changes.push({
          kind: "permission",
          class: cls,
          fleet: role.fleet,
          role: id,
          text: `${who} ${verb} ${group === "other" ? "use" : group} on ${target.label}${conditional ? " (where its condition holds)" : ""}: ${list}`,
          details: { group, resource: target.arn, actions: actions.sort(), conditional, runsJobs: role.runsJobs },
        });
      }
    }
  }
  return changes;
}

function fleetChanges(base: ReviewModel | undefined, head: ReviewModel): Change[] {
  const names = (m: ReviewModel | undefined) => new Set((m?.fleets ?? []).map((f) => f.name));
  const before = names(base);
  const after = names(head);
  return [
    ...[...after]
      .filter((f) => !before.has(f))
      .map((f) => ({
        kind: "fleet" as const,
        class: "broadening" as const,
        fleet: f,
        text: `Fleet \`${f}\` added (\`${head.fleets.find((x) => x.name === f)!.executor}\`)`,
        details: { added: f },
      })),
    ...[...before]
      .filter((f) => !after.has(f))
      .map((f) => ({
        kind: "fleet" as const,
        class: "narrowing" as const,
        fleet: f,
        text: `Fleet \`${f}\` removed`,
        details: { removed: f },
      })),
  ];
}

const show = (v: unknown) => (v === undefined ? "unset" : `\`${typeof v === "string" ? v : JSON.stringify(v)}\``);

/** Trust settings of a fleet present on both sides, each with the direction that widens it. */
function trustChanges(base: ReviewModel, head: ReviewModel): Change[] {
  const out: Change[] = [];
  for (const after of head.fleets) {
    const before = base.fleets.find((f) => f.name === after.name);
    if (before === undefined) continue;
    const push = (cls: ChangeClass, what: string, a: unknown, b: unknown, kind: ChangeKind = "trust") =>
      out.push({
        kind,
        class: cls,
        fleet: after.name,
        text: `Fleet \`${after.name}\`: ${what} ${show(a)} → ${show(b)}`,
        details: { what, before: a, after: b },
      });
    const num = (v: unknown) => (typeof v === "number" ? v : undefined);
    if (before.executor !== after.executor)
      push(
        after.jobsRunOn === "manager" && before.jobsRunOn !== "manager" ? "broadening" : "neutral",
        "executor",
        before.executor,
        after.executor,
      );
    if (before.jobsRunOn !== after.jobsRunOn) {
      push(after.jobsRunOn === "manager" ? "broadening" : "narrowing", "jobs run on", before.jobsRunOn, after.jobsRunOn);
      // What the jobs hold from now on, the module's grants included (the token parameter, logs …).
      const held = head.roles.find((r) => r.id === after.jobsHold);
      if (held !== undefined && after.jobsRunOn === "manager") {
        const byModule = [...new Set(held.permissions.filter((p) => p.by !== "stack").map((p) => p.action))].sort();
        out.push({
          kind: "trust",
          class: "broadening",
          fleet: after.name,
          text:
            `Fleet \`${after.name}\`: jobs now hold the manager role, and with it what the module grants it: ` +
            (byModule.length > 0 ? byModule.map((a) => `\`${a}\``).join(", ") : "nothing beyond this stack's grants"),
          details: { jobsHold: after.jobsHold, moduleActions: byModule },
        });
      }
    }
    if (before.privileged !== after.privileged)
      push(after.privileged ? "broadening" : "narrowing", "privileged job containers", before.privileged, after.privileged);
    for (const which of ["manager", "workers"] as const) {
      const a = before.hopLimit[which];
      const b = after.hopLimit[which];
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const [x, y] = [num(a), num(b)];
      push(x !== undefined && y !== undefined ? (y > x ? "broadening" : "narrowing") : "broadening", `metadata hop limit (${which})`, a, b);
    }
    if (JSON.stringify(before.jobsPerWorkerInstance) !== JSON.stringify(after.jobsPerWorkerInstance)) {
      const [x, y] = [num(before.jobsPerWorkerInstance), num(after.jobsPerWorkerInstance)];
      // 0 means unlimited reuse.
      const widens = y === 0 || (x !== undefined && y !== undefined && x !== 0 && y > x);
      push(widens ? "broadening" : "narrowing", "jobs per worker instance", before.jobsPerWorkerInstance, after.jobsPerWorkerInstance);
    }
    if (before.cacheNamespace !== after.cacheNamespace)
      push(after.cacheNamespace === "shared" ? "broadening" : "narrowing", "cache namespace", before.cacheNamespace, after.cacheNamespace);
    const logins = (f: ModelFleet) => new Set(f.registryLogins);
    for (const host of [...logins(after)].filter((h) => !logins(before).has(h)))
      out.push({
        kind: "trust",
        class: "broadening",
        fleet: after.name,
        text: `Fleet \`${after.name}\`: the manager now logs in to \`${host}\``,
        details: { registryLogin: host, added: true },
      });
    for (const host of [...logins(before)].filter((h) => !logins(after).has(h)))
      out.push({
        kind: "trust",
        class: "narrowing",
        fleet: after.name,
        text: `Fleet \`${after.name}\`: the manager no longer logs in to \`${host}\``,
        details: { registryLogin: host, added: false },
      });
    if (JSON.stringify(before.tokenParameter) !== JSON.stringify(after.tokenParameter))
      push("neutral", "runner token parameter", before.tokenParameter, after.tokenParameter);
    // GitLab's side (absent from review.json files written before it existed). Registered by the
    // stack: a runner that takes more refs or untagged jobs broadens what reaches the fleet's
    // grants. Registered by hand: a protection newly required is not there until someone sets it in
    // GitLab, so until then the fleet's new grants reach every job it takes.
    const [g, h] = [before.gitlab, after.gitlab];
    if (g !== undefined && h !== undefined) {
      const byHand = h.registeredBy === "hand";
      if (g.protected !== h.protected) {
        if (byHand)
          push(
            h.protected ? "broadening" : "neutral",
            "GitLab runner, registered by hand, must be protected (set it in GitLab before applying):",
            g.protected,
            h.protected,
          );
        else
          push(
            h.protected ? "narrowing" : "broadening",
            "GitLab runner protected (only protected branches and tags)",
            g.protected,
            h.protected,
          );
      }
      if (JSON.stringify(g.runUntagged) !== JSON.stringify(h.runUntagged))
        push(h.runUntagged === false ? "narrowing" : "broadening", "GitLab runner runs untagged jobs", g.runUntagged, h.runUntagged);
      if (JSON.stringify(g.tags) !== JSON.stringify(h.tags)) push("neutral", "GitLab runner tags", g.tags, h.tags);
      if (g.registeredBy !== h.registeredBy) push("neutral", "GitLab runner registered by", g.registeredBy, h.registeredBy);
    }
    if (before.defaultImage !== after.defaultImage)
      push("neutral", "default job image", before.defaultImage, after.defaultImage, "version");
    if (before.runnerVersion !== after.runnerVersion)
      push("neutral", "gitlab-runner version", before.runnerVersion, after.runnerVersion, "version");
    if (before.moduleVersion !== after.moduleVersion)
      push("neutral", "module version", before.moduleVersion, after.moduleVersion, "version");
  }
  return out;
}

function pathChanges(base: ReviewModel | undefined, head: ReviewModel): Change[] {
  const labelOf = (m: ReviewModel, id: string) => m.resources.find((r) => r.id === id)?.label ?? `\`${id}\``;
  const keyed = (m: ReviewModel | undefined) => new Map((m?.paths ?? []).map((p) => [`${p.from}|${p.resource}|${p.to}`, p] as const));
  const before = keyed(base);
  const after = keyed(head);
  const out: Change[] = [];
  for (const [key, p] of after) {
    if (before.has(key)) continue;
    out.push({
      kind: "path",
      class: "broadening",
      fleet: p.from,
      text: `New path: the jobs of \`${p.from}\` can write ${labelOf(head, p.resource)} (${writtenWords(p.write)}); \`${p.to}\` ${p.read.map((r) => READ_WORDS[r]).join("; ")}`,
      details: { ...p },
    });
  }
  for (const [key, p] of before) {
    if (after.has(key)) continue;
    out.push({
      kind: "path",
      class: "narrowing",
      fleet: p.from,
      text: `Path gone: the jobs of \`${p.from}\` can no longer write ${labelOf(base!, p.resource)} that \`${p.to}\` reads`,
      details: { ...p },
    });
  }
  return out;
}

function acknowledgementChanges(base: ReviewModel | undefined, head: ReviewModel): Change[] {
  const keyed = (m: ReviewModel | undefined) =>
    new Map((m?.findings ?? []).filter((f) => f.acknowledgement).map((f) => [`${f.rule}|${f.path}|${f.message}`, f] as const));
  const before = keyed(base);
  const after = keyed(head);
  const out: Change[] = [];
  for (const [key, f] of after)
    if (!before.has(key))
      out.push({
        kind: "acknowledgement",
        class: "broadening",
        text: `Acknowledged \`${f.rule}\` at \`${f.path}\`: ${f.message}. Reason: ${f.acknowledgement!.reason}`,
        details: { ...f },
      });
  for (const [key, f] of before)
    if (!after.has(key))
      out.push({
        kind: "acknowledgement",
        class: "narrowing",
        text: `No longer acknowledged: \`${f.rule}\` at \`${f.path}\``,
        details: { ...f },
      });
  return out;
}

function ruleChanges(base: ReviewModel | undefined, head: ReviewModel): Change[] {
  if (base === undefined) return [];
  const before = new Set(base.rules.map((r) => r.id));
  const after = new Set(head.rules.map((r) => r.id));
  return [
    ...[...before]
      .filter((r) => !after.has(r))
      .map((r) => ({
        kind: "rule" as const,
        class: "broadening" as const,
        text: `Security rule \`${r}\` no longer runs`,
        details: { rule: r, on: false },
      })),
    ...[...after]
      .filter((r) => !before.has(r))
      .map((r) => ({
        kind: "rule" as const,
        class: "narrowing" as const,
        text: `Security rule \`${r}\` now runs`,
        details: { rule: r, on: true },
      })),
  ];
}

const CLASS_ORDER: Record<ChangeClass, number> = { broadening: 0, narrowing: 1, neutral: 2 };
const KIND_ORDER: Record<ChangeKind, number> = { fleet: 0, trust: 1, permission: 2, path: 3, acknowledgement: 4, rule: 5, version: 6 };

/** The diff of two review models; `base` undefined compares with an empty stack (everything is new). */
export function diffReviews(base: ReviewModel | undefined, head: ReviewModel, labels: { base: string; head: string }): ReviewDiff {
  const changes = [
    ...fleetChanges(base, head),
    ...(base ? trustChanges(base, head) : []),
    ...permissionChanges(base, head),
    ...pathChanges(base, head),
    ...acknowledgementChanges(base, head),
    ...ruleChanges(base, head),
  ].sort(
    (a, b) =>
      CLASS_ORDER[a.class] - CLASS_ORDER[b.class] ||
      (a.fleet ?? "").localeCompare(b.fleet ?? "") ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      a.text.localeCompare(b.text),
  );
  const count = (c: ChangeClass) => changes.filter((x) => x.class === c).length;
  return {
    schema: "gitlab-runner-ecr/review-diff",
    version: REVIEW_DIFF_VERSION,
    base: { stack: base?.stack ?? "(none)", label: labels.base },
    head: { stack: head.stack, label: labels.head },
    counts: { broadening: count("broadening"), narrowing: count("narrowing"), neutral: count("neutral") },
    changes,
  };
}
