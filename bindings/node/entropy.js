// The component's only import, hq:vault/entropy: bytes from the OS generator (Web Crypto in Node).
export function fill(len) {
  const bytes = new Uint8Array(len);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}
