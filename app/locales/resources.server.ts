/** Every translation, bundled into the server; the browser receives only what its page needs. */
import type { Language, Namespace } from "~/i18n";
import enAdmin from "./en/admin.json";
import enCommon from "./en/common.json";
import enErrors from "./en/errors.json";
import enMail from "./en/mail.json";
import enPanel from "./en/panel.json";
import enPanelist from "./en/panelist.json";
import enPublication from "./en/publication.json";
import enRounds from "./en/rounds.json";
import enRules from "./en/rules.json";
import enSettings from "./en/settings.json";
import enStatements from "./en/statements.json";
import zhAdmin from "./zh/admin.json";
import zhCommon from "./zh/common.json";
import zhErrors from "./zh/errors.json";
import zhMail from "./zh/mail.json";
import zhPanel from "./zh/panel.json";
import zhPanelist from "./zh/panelist.json";
import zhPublication from "./zh/publication.json";
import zhRounds from "./zh/rounds.json";
import zhRules from "./zh/rules.json";
import zhSettings from "./zh/settings.json";
import zhStatements from "./zh/statements.json";

export type Resources = Record<Language, Record<Namespace, Record<string, string>>>;

export const resources: Resources = {
  en: {
    common: enCommon,
    errors: enErrors,
    panelist: enPanelist,
    rounds: enRounds,
    panel: enPanel,
    admin: enAdmin,
    statements: enStatements,
    settings: enSettings,
    rules: enRules,
    publication: enPublication,
    mail: enMail,
  },
  zh: {
    common: zhCommon,
    errors: zhErrors,
    panelist: zhPanelist,
    rounds: zhRounds,
    panel: zhPanel,
    admin: zhAdmin,
    statements: zhStatements,
    settings: zhSettings,
    rules: zhRules,
    publication: zhPublication,
    mail: zhMail,
  },
};
