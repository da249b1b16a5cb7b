import { RemixBrowser } from "@remix-run/react";
import i18next, { type BackendModule } from "i18next";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { I18nextProvider, initReactI18next } from "react-i18next";
import { i18nOptions, isLanguage } from "~/i18n";
import { zodMessagesIn } from "~/zod-config";
import { readBootTranslations } from "~/components/translations";

/** Namespaces a later page needs are fetched from /locales/:lng/:ns (the page suspends until they arrive). */
const fetchNamespaces: BackendModule = {
  type: "backend",
  init() {},
  read(language, namespace, callback) {
    fetch(`/locales/${encodeURIComponent(language)}/${encodeURIComponent(namespace)}`)
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`${response.status} for ${namespace}`))))
      .then((data: Record<string, string>) => callback(null, data))
      .catch((error: Error) => callback(error, false));
  },
};

// The server wrote this page's translations into it; hydration starts with exactly those.
const boot = readBootTranslations(document);
zodMessagesIn(() => (isLanguage(i18next.language) ? i18next.language : boot.language));
void i18next
  .use(initReactI18next)
  .use(fetchNamespaces)
  .init({
    ...i18nOptions,
    lng: boot.language,
    ns: Object.keys(boot.resources),
    resources: { [boot.language]: boot.resources },
    partialBundledLanguages: true,
    // The keys are the English text: a page needs no English resources to fall back on.
    fallbackLng: false,
    initImmediate: false,
  })
  .then(() => {
    startTransition(() => {
      hydrateRoot(
        document,
        <I18nextProvider i18n={i18next}>
          <StrictMode>
            <RemixBrowser />
          </StrictMode>
        </I18nextProvider>,
      );
    });
  });
