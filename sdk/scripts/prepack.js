// `npm pack` / `npm publish`: a clean build of dist/ (no stale files), and the
// repository's README and LICENSE next to it, so the package is complete from a
// fresh clone.
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const sdk = path.resolve(__dirname, "..");
const root = path.resolve(sdk, "..");
fs.rmSync(path.join(sdk, "dist"), { recursive: true, force: true });
execFileSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc", { paths: [sdk, root] }), "-p", path.join(sdk, "tsconfig.json")],
    { stdio: "inherit" },
);
for (const file of ["README.md", "LICENSE"]) fs.copyFileSync(path.join(root, file), path.join(sdk, file));
