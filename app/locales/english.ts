/**
 * The English translator, for pure modules (app/consensus) whose callers pass no `t`: the CLI,
 * tests, machine-readable outputs. An English translation is the key itself but for plurals, so
 * this holds only the plural forms (en-plurals.json, written by `npm run i18n -- --plurals` and
 * checked by the suite): a page that imports it carries a few kilobytes, not every English text.
 */
import i18next from "i18next";
import { i18nOptions, type Translate } from "~/i18n";
import plurals from "./en-plurals.json";

const instance = i18next.createInstance();
void instance.init({
  ...i18nOptions,
  lng: "en",
  ns: ["plurals"],
  defaultNS: "plurals",
  fallbackNS: false,
  initImmediate: false,
  resources: { en: { plurals } },
});

const fixed = instance.getFixedT("en", "plurals");

export const english: Translate = (key, values) => fixed(key, values ?? {}) as string;
