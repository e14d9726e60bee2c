// Bundled at build time, so the version printed always matches the package that ships.
import pkg from "../package.json" with { type: "json" };

export const CLI_VERSION: string = pkg.version;
