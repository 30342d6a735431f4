/**
 * The directory the service's files are laid out under: the repository when it runs from source, dist/ in the
 * production build. Files read at run time (the descriptor set, the status page, the sample prices) are found
 * from here rather than from the module reading them, because the production build bundles modules into files
 * that sit directly in dist/src/, one level below this root like this module itself.
 */
export const PROJECT_ROOT = new URL("../", import.meta.url);
