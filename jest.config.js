/** Jest projects: pure core (no mocks), components (pulumi mocks), e2e (real engine), package (the packed tarball). */
const tsJest = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
module.exports = {
  projects: [
    { displayName: "unit", testEnvironment: "node", transform: tsJest, testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    { displayName: "components", testEnvironment: "node", transform: tsJest, testMatch: ["<rootDir>/tests/components/**/*.test.ts"] },
    { displayName: "e2e", testEnvironment: "node", transform: tsJest, testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"] },
    // the packed npm package in fresh projects (needs the npm registry)
    { displayName: "package", testEnvironment: "node", transform: tsJest, testMatch: ["<rootDir>/tests/package/**/*.test.ts"] },
  ],
};
