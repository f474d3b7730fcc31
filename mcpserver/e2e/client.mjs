// A real MCP client we did not write (the official TypeScript SDK) driving `cucm-audit mcp`.
// Usage: node client.mjs SPEC.json
// SPEC: {"transport":"stdio","command":BIN,"args":[...],"env":{...}}
//    or {"transport":"http","url":URL,"token":TOKEN (optional),"headers":{...} (optional)}
//   plus "calls": [{"name":TOOL,"arguments":{...}}], "resources": bool, "prompt": NAME (optional).
// Prints one JSON object on stdout: {tools, calls, resource, prompt} or {error}; exit 0 unless
// the client itself failed (connection refused, 401, protocol error).
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));

let transport;
if (spec.transport === "http") {
  const headers = { ...(spec.headers ?? {}), ...(spec.token ? { Authorization: `Bearer ${spec.token}` } : {}) };
  transport = new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers } });
} else {
  transport = new StdioClientTransport({
    command: spec.command,
    args: spec.args ?? [],
    env: { ...process.env, ...(spec.env ?? {}) },
    stderr: "inherit",
  });
}

const client = new Client({ name: "cucm-audit-e2e", version: "1.0.0" });
try {
  await client.connect(transport);
  const out = { server: client.getServerVersion(), tools: (await client.listTools()).tools, calls: [] };
  for (const c of spec.calls ?? []) {
    out.calls.push(await client.callTool({ name: c.name, arguments: c.arguments ?? {} }));
  }
  if (spec.resources) {
    out.resources = (await client.listResources()).resources;
    out.resource = await client.readResource({ uri: "cucm-audit://reports/latest.md" }).catch((e) => ({ error: String(e) }));
  }
  if (spec.prompt) {
    out.prompt = await client.getPrompt({ name: spec.prompt, arguments: {} });
  }
  process.stdout.write(JSON.stringify(out));
  await client.close();
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e?.message ?? e), code: e?.code }));
  await client.close().catch(() => {});
  process.exitCode = 1;
}
