// Writes vectors.json for CanonicalJsonTests, from ECMAScript itself (RFC 8785 is defined by it):
// - numbers: doubles (as IEEE 754 bit patterns) and how JSON.stringify prints them;
// - objects: JSON texts and their canonical form (keys sorted by UTF-16 code units, JSON.stringify).
// Run: node make-vectors.js > vectors.json
const fixed = [
  0, -0, 1, -1, 0.5, 0.1, 0.2 + 0.1, 1 / 3, 2 / 3, 123.456, -123.456, 1e-6, 1e-7, 1.5e-7, 0.000001234,
  1e20, 1e21, 1.5e21, 123456789012345680000, 2 ** 53, 2 ** 53 + 2, 9007199254740991, 1e300, -1e-300,
  5e-324, 1.7976931348623157e308, 224, 0.485, 0.229, 58.395, 1 / 255, 0.017, 100, 1e2, 12e-1,
];
let seed = 42;
function next() {
  // xorshift32: deterministic, no dependency
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed;
}
const random = [];
const view = new DataView(new ArrayBuffer(8));
while (random.length < 300) {
  view.setUint32(0, next()); view.setUint32(4, next());
  const x = view.getFloat64(0);
  if (Number.isFinite(x)) random.push(x);
}
for (let i = 0; i < 100; i++) random.push((next() % 2000000 - 1000000) / 1000);
const numbers = [...fixed, ...random].map((x) => {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0).toString(16).padStart(16, '0');
  return { bits, text: JSON.stringify(x) };
});
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
const texts = [
  '{"b": 1, "a": [3, 2, {"z": null, "y": true}], "c": "x"}',
  '{"\\u00e9": 1, "e": 2, "\\ud83d\\ude00": 3, "\\uff61": 4, "E": 5, "": 6}',
  '{"s": "quote \\" backslash \\\\ slash \\/ tab \\t nl \\n cr \\r bs \\b ff \\f nul \\u0000 us \\u001f del \\u007f"}',
  '{"unicode": "caf\\u00e9 \\u2028 \\ud83d\\ude00 \\u20ac"}',
  '{"n": [1.0, 1e2, -0, 0.1, 1E-7, 12e-1, 1e21, 9007199254740991]}',
  '[{"kind": "image", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "scale": 0.00392156862745098}]',
  '  {"nested": {"b": {"d": 1, "c": 2}, "a": []}}  ',
];
const objects = texts.map((input) => ({ input, canonical: canonical(JSON.parse(input)) }));
console.log(JSON.stringify({ numbers, objects }, null, 1));
