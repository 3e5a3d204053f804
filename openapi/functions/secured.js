/**
 * Spectral function: the operation it is given is protected by a security
 * scheme, through its own `security` requirement or, when it declares none,
 * the document's. What OWASP's `checkSecurity` checks, one operation at a time,
 * so that a rule's `given` decides which operations must be protected.
 *
 * Options: `methods`, the HTTP methods checked (others pass); `allowAnonymous`,
 * whether an empty requirement `{}` (credentials optional) counts as protected.
 */
export default function secured(operation, options, context) {
  const { methods, allowAnonymous = false } = options ?? {};
  const method = context.path[context.path.length - 1];
  if (Array.isArray(methods) && !methods.includes(method)) return;

  const requirements = operation?.security ?? context.document.data?.security;
  if (!Array.isArray(requirements) || requirements.length === 0) {
    return [
      {
        message:
          'This operation is not protected by any security scheme (declare `security: []` if it is public on purpose).',
        path: [...context.path, 'security'],
      },
    ];
  }
  if (allowAnonymous) return;
  return requirements.flatMap((requirement, index) =>
    requirement !== null && typeof requirement === 'object' && Object.keys(requirement).length === 0
      ? [
          {
            message: 'An empty security requirement `{}` lets this operation be called without credentials.',
            path: [...context.path, 'security', index],
          },
        ]
      : [],
  );
}
