/** One namespace's translations, for a page the browser reaches without reloading. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isLanguage, NAMESPACES, neededTranslations, type Namespace } from "~/i18n";
import { resources } from "~/locales/resources.server";

export function loader({ params }: LoaderFunctionArgs) {
  const { language, namespace } = params;
  if (!isLanguage(language) || !(NAMESPACES as readonly string[]).includes(namespace ?? "")) {
    return Response.json({ error: "No such language or namespace." }, { status: 404 });
  }
  return Response.json(neededTranslations(language, resources[language][namespace as Namespace]), {
    headers: { "Cache-Control": "public, max-age=300" },
  });
}
