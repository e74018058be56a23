// Imports a workspace package from its built `dist/`, with a one-line hint when it is not built.

/**
 * @param {string} specifier a workspace package name, e.g. '@mmo/protocol'
 * @returns {Promise<any>}
 */
export async function importBuilt(specifier) {
  try {
    return await import(specifier);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
      console.error(`${specifier} is not built: run \`pnpm --filter ${specifier} build\` (or \`pnpm build\`) first.`);
      process.exit(1);
    }
    throw error;
  }
}
