/** The shape of a ts-proto generic service definition that this module needs. */
interface ServiceDefinitionShape {
  readonly methods: Readonly<Record<string, { readonly responseType: { encode(message: never): { finish(): Uint8Array } } }>>;
}

/**
 * The service definition with the responses of `methodKey` encoded once per message object: nice-grpc encodes
 * each message a stream yields with `responseType.encode(message).finish()`, so a message shared by thousands of
 * streams (a health change, see health-broadcast.ts) is encoded once and the same bytes are written to each.
 * Messages are kept weakly: the bytes go when the message does.
 */
export function shareResponseEncoding<Definition extends ServiceDefinitionShape>(definition: Definition, methodKey: keyof Definition["methods"] & string): Definition {
  const method = definition.methods[methodKey];
  if (!method) throw new Error(`no method ${methodKey} to share the encoding of`);
  const encodeOnce = method.responseType.encode.bind(method.responseType) as (message: object) => { finish(): Uint8Array };
  const encoded = new WeakMap<object, Uint8Array>();
  const encode = (message: object): { finish(): Uint8Array } => {
    let bytes = encoded.get(message);
    if (!bytes) encoded.set(message, (bytes = encodeOnce(message).finish()));
    const finished = bytes;
    return { finish: () => finished };
  };
  const methods = { ...definition.methods, [methodKey]: { ...method, responseType: { ...method.responseType, encode } } };
  // Same methods, same types; only this method's encode differs.
  return { ...definition, methods } as Definition;
}
