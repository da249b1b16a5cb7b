import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireMember } from "~/server/permissions.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, ["secretary", "panelist", "observer"]);
  return { description: guideline.description };
}

export default function GuidelineOverview() {
  const { description } = useLoaderData<typeof loader>();
  return <section className="panel">{description ? <p>{description}</p> : <p className="muted">No description yet.</p>}</section>;
}
