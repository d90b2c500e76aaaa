// ESLint (flat config): eslint's and typescript-eslint's recommended rules, as Pulumi's own
// TypeScript packages use them; formatting is prettier's (.prettierrc.json), not eslint's.
// `npm run lint` runs it with shellcheck on scripts/; `npm run format` formats with prettier.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

// ---------------------------------------------------------------- the layers (ARCHITECTURE.md)
// What each folder of sdk/src may import besides itself: an import of any other folder
// of sdk/src is an error naming the rule. runtime/program-state.ts imports nothing and
// every layer may keep its per-program state there.
const PROGRAM_STATE = "runtime/program-state";
const LAYERS = {
    core: [PROGRAM_STATE],
    spec: ["core", PROGRAM_STATE],
    kube: ["core", "net", PROGRAM_STATE],
    net: [],
    build: ["core", "spec", "net", PROGRAM_STATE],
    runtime: ["core", "spec", "kube", "net", "build"],
    components: ["core", "spec", "kube", "net", "build", "runtime"],
};
// Folders that hold no Pulumi program code: no @pulumi/* (not even types); no Kubernetes client
// library either, but in kube/ (the one Kubernetes client, @kubernetes/client-node its fallback).
const NO_PULUMI = ["core", "spec", "kube", "net", "build"];
const KUBE_CLIENT = "kube";
// DRA's CEL selectors are the only part of core/ that loads the CEL library.
const CEL_FOLDER = "core/simulator/dra";
const FOLDERS = Object.keys(LAYERS);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** no-restricted-imports for the files of `folder` that sit `depth` folders below sdk/src (`cel`: CEL_FOLDER's). */
function layerRule(folder, depth, { cel = false } = {}) {
    const up = `^(?:\\.\\./){${depth}}`;
    const allowed = LAYERS[folder];
    const patterns = [];
    for (const other of FOLDERS.filter((f) => f !== folder && !allowed.includes(f))) {
        // a folder whose one file is allowed (program-state): everything else in it is not
        const file = allowed.find((a) => a.startsWith(`${other}/`));
        patterns.push({
            regex: file ? `${up}${other}/(?!${escape(file.slice(other.length + 1))}$)` : `${up}${other}(?:/|$)`,
            message: `${folder}/ may not import ${file ? `${other}/ (only ${file})` : `${other}/`}: see the layers in ARCHITECTURE.md`,
        });
    }
    // leaving sdk/src (the provider, scripts, tests)
    patterns.push({ regex: `^(?:\\.\\./){${depth + 1}}`, message: `sdk/src may not import from outside sdk/src` });
    if (NO_PULUMI.includes(folder))
        patterns.push({
            group: ["@pulumi/*"],
            message: `${folder}/ may not import Pulumi: see the layers in ARCHITECTURE.md`,
        });
    if (NO_PULUMI.includes(folder) && folder !== KUBE_CLIENT)
        patterns.push({
            group: ["@kubernetes/*"],
            message: `${folder}/ may not import a Kubernetes client library (only ${KUBE_CLIENT}/): see ARCHITECTURE.md`,
        });
    if (folder === "core" && !cel)
        patterns.push({
            group: ["@bufbuild/*"],
            message: `only ${CEL_FOLDER}/ imports the CEL library (@bufbuild/*): see ARCHITECTURE.md`,
        });
    return { "no-restricted-imports": ["error", { patterns }] };
}

/** One config per folder and depth (the regular expressions count the ../ to sdk/src). */
function layerConfigs() {
    const configs = [];
    for (const folder of FOLDERS)
        for (let depth = 1; depth <= 4; depth++)
            configs.push({
                files: [`sdk/src/${folder}/${"*/".repeat(depth - 1)}*.ts`],
                rules: layerRule(folder, depth),
            });
    // DRA's selectors (a later config's rule replaces the earlier one's for the same files)
    configs.push({
        files: [`sdk/src/${CEL_FOLDER}/*.ts`],
        rules: layerRule("core", CEL_FOLDER.split("/").length, { cel: true }),
    });
    // the device catalogue imports nothing but itself
    configs.push({
        files: ["sdk/src/core/catalog/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        { regex: "^\\.\\./", message: "core/catalog/ imports only core/catalog/: see ARCHITECTURE.md" },
                        { regex: "^[^.]", message: "core/catalog/ imports only core/catalog/: see ARCHITECTURE.md" },
                    ],
                },
            ],
        },
    });
    // the flyte package reaches the SDK through its components, spec, runtime and core; not its I/O modules
    configs.push({
        files: ["provider/src/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            regex: "(?:^|/)sdk/src/(?:kube|net|build)(?:/|$)",
                            message:
                                "provider/src imports sdk/src through its components, spec, runtime and core: see ARCHITECTURE.md",
                        },
                    ],
                },
            ],
        },
    });
    return configs;
}

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
    ...layerConfigs(),
);
