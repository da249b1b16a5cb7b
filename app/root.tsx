import "~/zod-config";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useChangeLanguage } from "remix-i18next/react";
import { useNonce } from "~/components/nonce";
import { BootTranslations, LanguageSwitcher, useLanguageTag } from "~/components/translations";
import { getUser } from "~/server/auth.server";
import { currentLanguage, translator } from "~/server/i18n.server";
import styles from "~/styles.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

/** The title of a page that sets none, and of every error page, which shows this route's boundary: "404 Not Found · Delphi consensus". */
export const meta: MetaFunction<typeof loader> = ({ error, data }) => [
  {
    title: isRouteErrorResponse(error)
      ? `${error.status} ${error.statusText} · ${data?.brand ?? "Delphi consensus"}`
      : error
        ? `${data?.somethingWrong ?? "Something went wrong"} · ${data?.brand ?? "Delphi consensus"}`
        : (data?.brand ?? "Delphi consensus"),
  },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const language = currentLanguage();
  const t = translator(language, "common");
  return {
    user: user && { name: user.name, email: user.email, isAdmin: user.isAdmin },
    language,
    brand: t("Delphi consensus"),
    somethingWrong: t("Something went wrong"),
  };
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  const nonce = useNonce();
  const { t } = useTranslation();
  useChangeLanguage(data?.language ?? "en");
  return (
    <html lang={useLanguageTag()}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        <BootTranslations />
      </head>
      <body>
        <header className="site-header">
          <Link to="/" className="brand">
            {t("Delphi consensus")}
          </Link>
          <nav aria-label={t("Account")} className="account">
            {user ? (
              <>
                {user.isAdmin ? <Link to="/admin">{t("Administration")}</Link> : null}
                <span className="account-name" translate="no">
                  {user.name}
                </span>
                <LanguageSwitcher />
                <Form method="post" action="/logout">
                  <button type="submit" className="button-link">
                    {t("Log out")}
                  </button>
                </Form>
              </>
            ) : (
              <>
                <LanguageSwitcher />
                <Link to="/login">{t("Log in")}</Link>
              </>
            )}
          </nav>
        </header>
        <main id="main">{children}</main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  if (isRouteErrorResponse(error)) {
    const message = typeof error.data === "object" && error.data && "error" in error.data ? String(error.data.error) : error.data;
    return (
      <section className="panel">
        <h1>
          {error.status} {t(error.statusText)}
        </h1>
        <p>{typeof message === "string" && message ? t(message) : t("This page could not be shown.")}</p>
        <p>
          <Link to="/">{t("Back to your guidelines")}</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="panel">
      <h1>{t("Something went wrong")}</h1>
      <p>
        {t("The error has been logged. Please try again, or go back to your guidelines.")}{" "}
        <Link to="/">{t("Back to your guidelines")}</Link>
      </p>
    </section>
  );
}
