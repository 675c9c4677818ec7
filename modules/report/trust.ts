/** Trust, read from the synthesized module inputs and backend block: where jobs run, what they hold, what logs them in. */
import { IConstruct } from "constructs";
import { TerraformBackend, TerraformStack } from "cdktf";
import { parseCredHelpersInstallScript } from "../support/manager-docker-config";
import type { RunnerFleet } from "../constructs/runner-fleet";
import { EXECUTORS } from "../executors";
import type { RuleFinding } from "../rules/aspect";
import { ReviewSubject } from "./subject";

/** The backend block of the stack, as synthesized: "local", "s3" or "s3 with KMS key <arn>". */
function stateStorage(scope: IConstruct): { readonly kind: "local" | "s3" | "s3-kms" | "other"; readonly text: string } {
  const backend = TerraformStack.of(scope).node.children.find((c): c is TerraformBackend => c instanceof TerraformBackend);
  const block =
    (backend?.toTerraform() as { terraform?: { backend?: Record<string, Record<string, unknown>> } } | undefined)?.terraform?.backend ?? {};
  const [type, settings] = Object.entries(block)[0] ?? ["local", {}];
  if (type === "local") return { kind: "local", text: "a local file" };
  if (type !== "s3") return { kind: "other", text: `the ${type} backend` };
  return typeof settings.kms_key_id === "string"
    ? { kind: "s3-kms", text: `S3, encrypted with KMS key \`${settings.kms_key_id}\`` }
    : { kind: "s3", text: "S3, encrypted with S3-managed keys" };
}

function yesNo(value: unknown): string {
  return value === true ? "yes" : value === false ? "no" : `\`${JSON.stringify(value)}\``;
}

/** One row of the trust table, read from the fleet's module inputs. */
function trustRow(fleet: RunnerFleet): string {
  const inputs = fleet.module.inputs as Record<string, any>;
  const traits = EXECUTORS[fleet.executor];
  const onManager = traits.jobsRunOn === "manager";
  const managerHop = inputs.runner_metadata_options?.http_put_response_hop_limit;
  const workerHop = traits.workerMetadataInput === undefined ? undefined : inputs[traits.workerMetadataInput]?.http_put_response_hop_limit;
  const reuse =
    fleet.executor === "docker-autoscaler"
      ? inputs.runner_worker_docker_autoscaler?.max_use_count
      : fleet.executor === "docker+machine"
        ? inputs.runner_worker_docker_machine_instance?.destroy_after_max_builds
        : undefined;
  const shared = inputs.runner_worker_cache?.shared === true;
  return [
    `\`${fleet.node.id}\``,
    `\`${fleet.executor}\``,
    onManager ? "**the manager**" : "worker instances",
    onManager ? "**the manager role**" : "the worker role",
    yesNo(inputs.runner_worker_docker_options?.privileged),
    `${managerHop ?? "unset"} / ${workerHop ?? "–"}`,
    reuse === undefined ? "– (the manager runs every job)" : reuse === 0 ? "unlimited" : String(reuse),
    shared ? "**shared by every fleet** (`project/<id>/…`)" : "its own (`runner/<token>/project/<id>/…`)",
  ].join(" | ");
}

export function trustSection(runners: ReviewSubject, findings: readonly RuleFinding[]): string[] {
  const state = stateStorage(runners.scope);
  const lines = [
    "## Trust: where jobs run and what they hold",
    "",
    "| fleet | executor | jobs run on | jobs hold | privileged | metadata hop limit (manager / workers) | jobs per worker instance | cache namespace |",
    "|---|---|---|---|:-:|:-:|:-:|---|",
    ...runners.fleets.map((f) => `| ${trustRow(f)} |`),
    "",
  ];
  for (const fleet of runners.fleets) {
    if (EXECUTORS[fleet.executor].jobsRunOn === "manager") {
      const ack = findings.find((f) => f.ruleId === "jobs-not-on-manager" && f.path.startsWith(`${fleet.node.path}/`))?.acknowledgement;
      const token = (fleet.module.inputs as Record<string, any>).runner_gitlab?.preregistered_runner_token_ssm_parameter_name;
      lines.push(
        `- **Fleet \`${fleet.node.id}\`: jobs hold the manager role.** Besides the grants below, the module attaches to that role ` +
          `\`ssm:GetParameter\` and \`ssm:GetParameters\` on the runner token parameter \`${token}\` (a job can read the runner token ` +
          "and register a runner of its own), `ssm:PutParameter` on the module's token parameter, CloudWatch Logs writes, and " +
          "`iam:CreateServiceLinkedRole` where allowed; with the cache, every fleet's cache objects. " +
          (ack ? `Acknowledged: ${ack.reason}` : "Not acknowledged."),
      );
    }
    if (fleet.executor === "docker-autoscaler") {
      lines.push(
        `- Fleet \`${fleet.node.id}\`: the module keeps the workers' SSH private key (\`tls_private_key\`) in the Terraform state, ` +
          `which is ${state.text}.` +
          (state.kind === "s3-kms"
            ? ""
            : " Use the S3 backend with a KMS key (`backend.kmsKeyId`) for a fleet that uses docker-autoscaler."),
      );
    }
  }
  return [...lines, ""];
}

/** Each fleet's credHelpers registries, read back from the install script it synthesizes. */
export function registryLogins(runners: ReviewSubject): string[] {
  return runners.fleets.map((fleet) => {
    const install = (fleet.module.inputs as Record<string, any>).runner_install ?? {};
    const script = install.pre_install_script;
    const hosts = script === undefined ? [] : Object.keys(parseCredHelpersInstallScript(script)).sort();
    return `- Fleet \`${fleet.node.id}\`: ${hosts.length === 0 ? "**none**" : hosts.map((h) => `\`${h}\``).join(", ")}`;
  });
}
