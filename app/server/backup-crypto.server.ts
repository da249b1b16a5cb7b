/**
 * Backups an admin downloads over the web are sealed to the operator's public key: the copy
 * holds every ballot with its member, which no web role may read (DESIGN §4), so only whoever
 * holds the private key — the operator, on their own machine — can open it.
 *
 * The sealed file: the line `delphi-backup-sealed/1`, then one JSON line with the AES-256-GCM
 * key wrapped by RSA-OAEP (SHA-256), the IV and the tag (base64), then the encrypted SQLite file.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyLike,
} from "node:crypto";
import { msg } from "~/i18n";
import { Refusal } from "./errors.server";

export const SEALED_FORMAT = "delphi-backup-sealed/1";

type Header = { key: string; iv: string; tag: string };

const oaep = (key: KeyLike) => ({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" });

/** `plain` sealed to `publicKey` (PEM or a KeyObject). */
export function sealBackup(plain: Buffer, publicKey: KeyLike): Buffer {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  const header: Header = {
    key: publicEncrypt(oaep(publicKey), key).toString("base64"),
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
  return Buffer.concat([Buffer.from(`${SEALED_FORMAT}\n${JSON.stringify(header)}\n`), body]);
}

/** The SQLite file inside a sealed backup; a Refusal when it is not one, or not sealed to this key. */
export function openSealedBackup(sealed: Buffer, privateKey: KeyLike): Buffer {
  const first = sealed.indexOf(0x0a);
  const second = first < 0 ? -1 : sealed.indexOf(0x0a, first + 1);
  if (second < 0 || sealed.subarray(0, first).toString() !== SEALED_FORMAT) {
    throw new Refusal(msg('Not a sealed backup: it does not start with "{{format}}".'), 422, { format: SEALED_FORMAT });
  }
  try {
    const header = JSON.parse(sealed.subarray(first + 1, second).toString()) as Header;
    const key = privateDecrypt(oaep(privateKey), Buffer.from(header.key, "base64"));
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(header.iv, "base64"));
    decipher.setAuthTag(Buffer.from(header.tag, "base64"));
    return Buffer.concat([decipher.update(sealed.subarray(second + 1)), decipher.final()]);
  } catch {
    throw new Refusal(msg("The backup cannot be opened with this key, or it was changed after it was sealed."), 422);
  }
}
