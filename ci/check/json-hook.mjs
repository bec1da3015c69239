// A Node.js module load hook (registered by run-checks.mjs): @actions/workflow-parser imports its
// workflow schema (a .json file) without `with { type: 'json' }`, which Node 20 rejects
// (ERR_IMPORT_ASSERTION_TYPE_MISSING). For a .json import without a type, this adds it; every
// other module loads unchanged.
export async function load(url, context, nextLoad) {
  if (url.endsWith('.json') && !(context.importAttributes && context.importAttributes.type)) {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
  }
  return nextLoad(url, context);
}
