import { createServer, Server } from "node:https";
import { AddressInfo } from "node:net";
import { verifySigV4, SigV4Expectation } from "./sigv4";

/**
 * A stand-in for ECR's GetAuthorizationToken API (AWS JSON 1.1 protocol, target
 * AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken): it answers only SigV4-signed requests
 * made with the expected fake key pair, and issues the registry password as ECR does, base64 of
 * "AWS:<password>", with proxyEndpoint and expiresAt (epoch seconds). Every call is recorded.
 */

export const GET_AUTHORIZATION_TOKEN = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";

export interface FakeEcrCall {
  readonly target: string;
  readonly accepted: boolean;
  readonly detail: string;
}

export interface FakeEcr {
  readonly calls: FakeEcrCall[];
  close(): Promise<void>;
}

export interface FakeEcrOptions {
  readonly address: string;
  readonly port: number;
  readonly key: string;
  readonly cert: string;
  readonly credentials: SigV4Expectation;
  readonly accountId: string;
  readonly registryHost: string;
  readonly password: string;
}

export async function startFakeEcr(o: FakeEcrOptions): Promise<FakeEcr> {
  const calls: FakeEcrCall[] = [];
  const server: Server = createServer({ key: o.key, cert: o.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers["x-amz-target"] ?? "");
      const reply = (status: number, payload: unknown, accepted: boolean, detail: string) => {
        calls.push({ target, accepted, detail });
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(payload));
      };
      const refuse = (status: number, type: string, message: string) =>
        reply(status, { __type: type, message }, false, `${type}: ${message}`);

      if (req.method !== "POST") return refuse(400, "UnknownOperationException", `method ${req.method}`);
      const auth = verifySigV4({ method: req.method, url: req.url ?? "/", headers: req.headers, body }, o.credentials);
      if (!auth.ok) return refuse(auth.error === "MissingAuthenticationTokenException" ? 403 : 400, auth.error, auth.reason);
      if (target !== GET_AUTHORIZATION_TOKEN) return refuse(400, "UnknownOperationException", target);

      let registryIds: string[] = [o.accountId];
      try {
        const parsed = JSON.parse(body.toString("utf8") || "{}") as { registryIds?: string[] };
        if (parsed.registryIds !== undefined) registryIds = parsed.registryIds;
      } catch {
        return refuse(400, "SerializationException", "body is not JSON");
      }
      if (registryIds.some((id) => id !== o.accountId)) {
        return refuse(400, "AccessDeniedException", `not authorized for registry ${registryIds.join(",")}`);
      }
      const expiresAt = Math.floor(Date.now() / 1000) + 12 * 3600;
      reply(
        200,
        {
          authorizationData: registryIds.map(() => ({
            authorizationToken: Buffer.from(`AWS:${o.password}`).toString("base64"),
            expiresAt,
            proxyEndpoint: `https://${o.registryHost}`,
          })),
        },
        true,
        `token for ${registryIds.join(",")} to ${auth.accessKeyId}`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.address, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  if (bound.address !== o.address) throw new Error(`fake ECR bound ${bound.address}, wanted ${o.address}`);
  return {
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
