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
import { useNonce } from "~/components/nonce";
import { getUser } from "~/server/auth.server";
import styles from "~/styles.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

/** The title of a page that sets none, and of every error page, which shows this route's boundary: "404 Not Found · Delphi consensus". */
export const meta: MetaFunction = ({ error }) => [
  {
    title: isRouteErrorResponse(error)
      ? `${error.status} ${error.statusText} · Delphi consensus`
      : error
        ? "Something went wrong · Delphi consensus"
        : "Delphi consensus",
  },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return { user: user && { name: user.name, email: user.email, isAdmin: user.isAdmin } };
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <header className="site-header">
          <Link to="/" className="brand">
            Delphi consensus
          </Link>
          {user ? (
            <nav aria-label="Account" className="account">
              {user.isAdmin ? <Link to="/admin">Administration</Link> : null}
              <span className="account-name">{user.name}</span>
              <Form method="post" action="/logout">
                <button type="submit" className="button-link">
                  Log out
                </button>
              </Form>
            </nav>
          ) : (
            <nav aria-label="Account" className="account">
              <Link to="/login">Log in</Link>
            </nav>
          )}
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
  if (isRouteErrorResponse(error)) {
    const message = typeof error.data === "object" && error.data && "error" in error.data ? String(error.data.error) : error.data;
    return (
      <section className="panel">
        <h1>
          {error.status} {error.statusText}
        </h1>
        <p>{typeof message === "string" && message ? message : "This page could not be shown."}</p>
        <p>
          <Link to="/">Back to your guidelines</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="panel">
      <h1>Something went wrong</h1>
      <p>
        The error has been logged. Please try again, or go back to <Link to="/">your guidelines</Link>.
      </p>
    </section>
  );
}
