// ESLint flat config: typescript-eslint, React, hooks and jsx-a11y for the app, and the import
// rules that keep the layers apart (docs: ../STYLE "Which way imports run"). Formatting is
// Prettier's (`npm run format`), so eslint-config-prettier turns off the rules it owns.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import importX from "eslint-plugin-import-x";
import jsxA11y from "eslint-plugin-jsx-a11y";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/** `no-restricted-imports` with these module patterns refused, `import type` still allowed. */
const refuse = (...groups) => ({
  "@typescript-eslint/no-restricted-imports": [
    "error",
    { patterns: groups.map(({ group, message }) => ({ group, message, allowTypeImports: true })) },
  ],
});

const SERVER_ONLY = {
  group: ["@db/*", "**/*.server", "*.server", "~/server/*.server"],
  message:
    "Browser code must not import the database or *.server modules (not even a constant): put shared values in app/consensus.",
};
const SCHEMA_VALUES = {
  group: ["@db/schema", "@db/columns"],
  message:
    "A value from db/schema reaches the browser bundle through the page component: import it from app/consensus (types are fine).",
};

const PURE = { group: ["~/server/*", "~/components/*", "~/routes/*"], message: "app/consensus is pure: no server or UI." };
const NO_FRAMEWORK = { group: ["@remix-run/*", "react", "react-dom"], message: "app/consensus is pure: no Remix or React." };
const RENDERS_NOTHING = {
  group: ["~/components/*", "~/routes/*", "react", "react-dom"],
  message: "app/server renders nothing: share through app/consensus.",
};

export default tseslint.config(
  { ignores: ["build/", "public/build/", "node_modules/", ".cache/", "test-results/", "db/migrations/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "import-x": importX },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "import-x/no-duplicates": "error",
      "import-x/first": "error",
      "import-x/no-self-import": "error",
      eqeqeq: ["error", "smart"],
      // A variable a closure reads before its one assignment (a timer cleared by a callback) stays `let`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "no-console": "off",
    },
  },
  {
    files: ["app/**/*.tsx"],
    ...react.configs.flat.recommended,
    ...react.configs.flat["jsx-runtime"],
    settings: { react: { version: "18.3" } },
  },
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks, "jsx-a11y": jsxA11y },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      // A label's text is often in an expression a few elements down (<span><strong>{label}…).
      "jsx-a11y/label-has-associated-control": ["error", { assert: "either", depth: 4 }],
      // A scrollable region must be focusable to be scrolled by keyboard (axe: scrollable-region-focusable).
      "jsx-a11y/no-noninteractive-tabindex": ["error", { tags: [], roles: ["tabpanel", "region"] }],
      "react/prop-types": "off",
    },
  },
  // Browser code: components, the pure domain, and every app module that is not *.server.
  {
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/**/*.server.{ts,tsx}", "app/routes/**", "app/root.tsx"],
    rules: refuse(SERVER_ONLY),
  },
  // Routes and the root may import *.server modules (Remix keeps them out of the browser
  // bundle with the loader and action), but no value of the database schema.
  { files: ["app/routes/**", "app/root.tsx"], rules: refuse(SCHEMA_VALUES) },
  // The pure domain: no Remix, React, database or server.
  { files: ["app/consensus/**"], rules: refuse(SERVER_ONLY, PURE, NO_FRAMEWORK) },
  // Server modules render nothing (and those not named *.server are also browser code).
  { files: ["app/server/**"], rules: refuse(SERVER_ONLY, RENDERS_NOTHING) },
  { files: ["app/server/**/*.server.ts"], rules: refuse(RENDERS_NOTHING) },
  // Tests spoil parsed JSON records at will.
  { files: ["test/**"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
  // The database layer reads no app module (its path comes from its caller or process.env).
  { files: ["db/**"], rules: refuse({ group: ["~/*", "**/app/**"], message: "db/ reads no app module." }) },
  prettier,
);
