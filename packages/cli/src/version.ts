/** The CLI's version, shown by `khaacho --version` and reported by the server's /health. */
export const VERSION = "0.1.0";
