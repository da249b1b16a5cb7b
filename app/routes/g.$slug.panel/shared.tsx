import type { SubmissionResult } from "@conform-to/react";
import type { useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { PanelStatus } from "~/consensus/values";
import { msg } from "~/i18n";
import type { InvitationCheck } from "~/server/panel.server";
import type { loader } from "./route";

export type PanelData = ReturnType<typeof useLoaderData<typeof loader>>;
export type PanelPerson = PanelData["people"][number];
export type Result = SubmissionResult<string[]> | undefined;
/** A bulk invitation's checked rows, with the CSV text they came from (sent back with the invitations). */
export type BulkState = InvitationCheck & { csv: string };
/** What the action answers without redirecting: a refused form, a bulk preview, or both (a stale preview). */
export type ActionData = (Partial<NonNullable<Result>> & { bulk?: BulkState }) | undefined;

/** Translation keys (namespace "panel"): `t(ROLE_LABEL[role])`. */
export const ROLE_LABEL = { secretary: msg("Secretary"), panelist: msg("Panelist"), observer: msg("Observer") } as const;
export const STATUS_LABEL: Record<PanelStatus, string> = {
  joined: msg("joined"),
  invited: msg("invited"),
  expired: msg("invitation expired"),
  removed: msg("removed"),
};
/** How many people have each status, as the list's summary says it: `t(STATUS_COUNT[status], { number })`. */
export const STATUS_COUNT: Record<PanelStatus, string> = {
  joined: msg("{{number}} joined"),
  invited: msg("{{number}} invited"),
  expired: msg("{{number}} invitation expired"),
  removed: msg("{{number}} removed"),
};

/** The last submission, if it was this form's (same intent and same row). */
export function resultFor(result: Result, intent: string, row: Record<string, string> = {}): Result {
  const submitted = result?.initialValue;
  if (!submitted || submitted.intent !== intent) return undefined;
  return Object.entries(row).every(([key, value]) => submitted[key] === value) ? result : undefined;
}

export function RowErrors({ result }: { result: Result }) {
  const { t } = useTranslation("panel");
  const messages = Object.values(result?.error ?? {}).flatMap((errors) => (errors ?? []).map((error) => t(error)));
  if (messages.length === 0) return null;
  return (
    <p className="form-error" role="alert">
      {messages.join(" ")}
    </p>
  );
}

/** Text for screen readers only, e.g. which member a repeated button or label is about. */
export function ForScreenReaders({ children }: { children: ReactNode }) {
  return <span className="visually-hidden">{children}</span>;
}

/** The panel page's address with the list's search and status kept, plus `extra` (e.g. a row to edit). */
export function panelHref(data: Pick<PanelData, "slug" | "filter">, extra: Record<string, string> = {}, hash = ""): string {
  const params = new URLSearchParams();
  if (data.filter.q) params.set("q", data.filter.q);
  if (data.filter.status !== "all") params.set("status", data.filter.status);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const search = params.toString();
  return `/g/${data.slug}/panel${search ? `?${search}` : ""}${hash}`;
}
