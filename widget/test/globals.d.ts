// Set by the script in the tests' hostile strings, were it ever run as HTML.
declare global {
  var __pwned: number | undefined;
}

export {};
