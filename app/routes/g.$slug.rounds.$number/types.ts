import type { useLoaderData } from "@remix-run/react";
import type { loader } from "./route";

/** The round page's data as its components receive it (dates as strings). */
export type Data = ReturnType<typeof useLoaderData<typeof loader>>;
export type Workspace = Data["round"];
export type Draft = Extract<Workspace, { status: "draft" }>;
export type Open = Extract<Workspace, { status: "open" }>;
export type Closed = Extract<Workspace, { status: "closed" }>;
export type Reminders = Data["reminders"];
