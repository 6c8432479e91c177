// Just enough of a manifest to address it: apiVersion, kind, metadata.name and
// metadata.namespace of each document. The server parses the whole document itself (server-side
// apply takes YAML), so this reads only those four fields, in block style or JSON.

/** Splits a multi-document YAML stream at its '---' lines, dropping empty documents. */
export function documents(text) {
  return text.split(/^---[ \t]*(?:#.*)?$/m)
    .filter(doc => doc.split('\n').some(line => line.trim() && !line.trim().startsWith('#')));
}

function scalar(value) {
  const v = value.replace(/\s+#.*$/, '').trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

/** { apiVersion, kind, name, namespace } of one document; missing fields are undefined. */
export function header(doc) {
  const text = doc.trim();
  if (text.startsWith('{')) {
    const object = JSON.parse(text);
    const metadata = object.metadata || {};
    return { apiVersion: object.apiVersion, kind: object.kind, name: metadata.name, namespace: metadata.namespace };
  }
  const found = {};
  let inMetadata = false;
  let metadataIndent = -1;
  for (const line of doc.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      inMetadata = false;
      const top = /^(apiVersion|kind|metadata):(.*)$/.exec(line);
      if (!top) continue;
      if (top[1] !== 'metadata') { found[top[1]] = scalar(top[2]); continue; }
      const inline = top[2].trim();
      if (inline.startsWith('{')) {
        for (const field of ['name', 'namespace']) {
          const match = new RegExp(`(?:^|[{,\\s])${field}\\s*:\\s*([^,}]+)`).exec(inline);
          if (match) found[field] = scalar(match[1]);
        }
      } else {
        inMetadata = true;
        metadataIndent = -1;
      }
      continue;
    }
    if (!inMetadata) continue;
    if (metadataIndent < 0) metadataIndent = indent;
    if (indent !== metadataIndent) continue;
    const field = /^\s*(name|namespace):(.*)$/.exec(line);
    if (field) found[field[1]] = scalar(field[2]);
  }
  return found;
}
