// ESLint (flat config): eslint's and typescript-eslint's recommended rules, as Pulumi's own
// TypeScript packages use them; formatting is prettier's (.prettierrc.json), not eslint's.
// `npm run lint` runs it with shellcheck on scripts/; `npm run format` formats with prettier.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
    {
        ignores: [
            "**/node_modules/**",
            "**/dist/**",
            "**/bin/**",
            "bench/**",
            "provider/dist/**",
            "sdk/scripts/**",
            ".work/**",
            ".ci/**",
            // generated from sdk/src/spec/schema.ts; its `any` is the Pulumi schema's Any (the analyser reads it)
            "provider/src/args.ts",
        ],
    },
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        // CommonJS scripts (jest's config, the bench's programs): Node's globals and require
        files: ["**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: {
                require: "readonly",
                module: "writable",
                process: "readonly",
                console: "readonly",
                __dirname: "readonly",
            },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["**/*.ts"],
        rules: {
            // Unused names are errors, except deliberately ignored ones (`_x`) and the rest of a
            // destructuring that drops a field (`const { a, ...rest } = x`).
            "@typescript-eslint/no-unused-vars": [
                "error",
                {
                    argsIgnorePattern: "^_",
                    varsIgnorePattern: "^_",
                    caughtErrorsIgnorePattern: "^_",
                    ignoreRestSiblings: true,
                },
            ],
        },
    },
    {
        // Tests, the bench and the dev scripts read untyped JSON (mock resources' inputs,
        // kubectl and engine output) and reach into modules with jest.isolateModules'
        // require: `any` and require() are how they say so. The package code is strict.
        files: ["tests/**/*.ts", "scripts/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
        },
    },
);
