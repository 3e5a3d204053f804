/**
 * Spectral function: every scheme a security requirement names is defined in
 * `components.securitySchemes`, and the scopes it lists for an OAuth 2 scheme
 * are among that scheme's flows' scopes. For every other scheme type OpenAPI
 * 3.1 lets the list name roles (`bearerAuth: [staff]`), which no document
 * defines, so those are not checked.
 */
export default function securitySchemeDefined(requirement, _options, context) {
  if (requirement === null || typeof requirement !== 'object') return;
  const schemes = context.document.data?.components?.securitySchemes ?? {};
  const results = [];
  for (const [name, scopes] of Object.entries(requirement)) {
    const scheme = schemes[name];
    if (scheme === null || typeof scheme !== 'object') {
      results.push({
        message: `"${name}" is not a scheme defined in "components.securitySchemes".`,
        path: [...context.path, name],
      });
      continue;
    }
    if (scheme.type !== 'oauth2' || !Array.isArray(scopes)) continue;
    const defined = Object.values(scheme.flows ?? {}).flatMap((flow) => Object.keys(flow?.scopes ?? {}));
    scopes.forEach((scope, index) => {
      if (!defined.includes(scope)) {
        results.push({
          message: `"${scope}" is not among the scopes of the "${name}" flows.`,
          path: [...context.path, name, index],
        });
      }
    });
  }
  return results;
}
