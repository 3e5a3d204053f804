const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Spectral function: every operation of the path item it is given that takes
 * input (a parameter of its own or of the path item, or a request body)
 * declares a 400, 422 or 4XX response for input it cannot accept. An
 * operation that takes no input has nothing to reject, so it needs neither.
 */
export default function validationErrorResponses(pathItem, _options, context) {
  if (pathItem === null || typeof pathItem !== 'object') return;
  const pathTakesInput = hasItems(pathItem.parameters);
  const results = [];
  for (const method of methods) {
    const operation = pathItem[method];
    if (operation === null || typeof operation !== 'object') continue;
    const takesInput = pathTakesInput || hasItems(operation.parameters) || operation.requestBody !== undefined;
    const responses = operation.responses ?? {};
    if (takesInput && !['400', '422', '4XX'].some((status) => status in responses)) {
      results.push({
        message: 'Operation takes input (parameters or a request body) but declares no 400, 422 or 4XX response.',
        path: [...context.path, method, 'responses'],
      });
    }
  }
  return results;
}

function hasItems(value) {
  return Array.isArray(value) && value.length > 0;
}
