import * as fs from "fs";
import { ValidationError } from "../core/errors";

/** $PULUMI_FLYTE_BASE_IMAGES names a JSON file mapping public base images to local mirrors. */
export function mirrorsFromEnv(): Record<string, string> | undefined {
    const file = process.env.PULUMI_FLYTE_BASE_IMAGES;
    if (!file) return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new ValidationError(
            "PULUMI_FLYTE_BASE_IMAGES",
            file,
            `expected a readable JSON file mapping base images to mirrors (${(err as Error).message})`,
        );
    }
    if (!parsed || typeof parsed !== "object" || Object.values(parsed).some((v) => typeof v !== "string")) {
        throw new ValidationError(
            "PULUMI_FLYTE_BASE_IMAGES",
            file,
            "expected a JSON object of image name -> mirror image name",
        );
    }
    return parsed as Record<string, string>;
}
