/** Jest projects: pure core (no mocks), components (pulumi mocks), e2e (real engine), package (the packed tarball). */
const tsJest = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
// .work holds the tests' and the bench's scratch projects (Go module caches, copies of the
// quickstarts): never modules of ours, and duplicate package names there break Jest's map
const common = { testEnvironment: "node", transform: tsJest, modulePathIgnorePatterns: ["<rootDir>/.work/"] };
module.exports = {
    projects: [
        {
            displayName: "unit",
            ...common,
            testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
        },
        {
            displayName: "components",
            ...common,
            testMatch: ["<rootDir>/tests/components/**/*.test.ts"],
        },
        {
            displayName: "e2e",
            ...common,
            testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
        },
        // the packed npm package in fresh projects (needs the npm registry)
        {
            displayName: "package",
            ...common,
            testMatch: ["<rootDir>/tests/package/**/*.test.ts"],
        },
    ],
};
