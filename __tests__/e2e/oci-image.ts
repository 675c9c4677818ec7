import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/**
 * The smallest real image: one gzip layer holding one file, an image config and a manifest, in an
 * OCI image layout directory (what `skopeo copy oci:<dir>:<tag>` reads). Digests are computed here.
 */

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A ustar archive with regular files (names < 100 bytes), root-owned, mtime 0: reproducible. */
export function tarFiles(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const h = Buffer.alloc(512);
    const put = (value: string, offset: number, length: number) => h.write(value.slice(0, length), offset, length, "ascii");
    const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, "0");
    put(name, 0, 100);
    put(octal(0o644, 8), 100, 8);
    put(octal(0, 8), 108, 8);
    put(octal(0, 8), 116, 8);
    put(octal(data.length, 12), 124, 12);
    put(octal(0, 12), 136, 12);
    put("        ", 148, 8); // checksum is computed with this field as spaces
    put("0", 156, 1);
    put("ustar\u000000", 257, 8);
    let sum = 0;
    for (const byte of h) sum += byte;
    put(`${octal(sum, 7)}\u0000`, 148, 8);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export interface OciImage {
  readonly layout: string;
  readonly tag: string;
  readonly manifestDigest: string;
  readonly layerDigest: string;
  readonly configDigest: string;
}

export function writeOciImage(layout: string, tag: string, files: Record<string, string>): OciImage {
  const blobs = join(layout, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  const putBlob = (b: Buffer) => {
    const hex = sha256(b);
    writeFileSync(join(blobs, hex), b);
    return `sha256:${hex}`;
  };
  const tar = tarFiles(files);
  const layer = gzipSync(tar);
  const layerDigest = putBlob(layer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: {},
      rootfs: { type: "layers", diff_ids: [`sha256:${sha256(tar)}`] },
    }),
  );
  const configDigest = putBlob(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: layer.length }],
    }),
  );
  const manifestDigest = putBlob(manifest);
  writeFileSync(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: manifestDigest,
          size: manifest.length,
          annotations: { "org.opencontainers.image.ref.name": tag },
        },
      ],
    }),
  );
  writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  return { layout, tag, manifestDigest, layerDigest, configDigest };
}

/** The layer digests of the manifest that an OCI layout's index.json names. */
export function layoutLayerDigests(layout: string): string[] {
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const digest = index.manifests[0]!.digest.replace(/^sha256:/, "");
  const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", digest), "utf8")) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => l.digest);
}
