// Package mcpserver serves the stored snapshots to an LLM over the Model Context Protocol.
//
// The server is read-only by construction: it works on a [snapshot.Store] opened with
// [snapshot.OpenReadOnly] (mode=ro, query_only), no tool writes, and the package does not import
// the collector, so nothing it does can reach a CUCM cluster. Tools answer compactly, page long
// lists (page_size, offset, truncated) and say when the data they stand on is incomplete:
// coverage gaps and inconclusive rules are part of every answer they affect.
//
// Transports: stdio (stdout carries the JSON-RPC stream, so every log goes to stderr) and
// streamable HTTP, always behind a bearer token from MCP_TOKEN or MCP_TOKEN_FILE ([HTTPToken],
// which is [TokenFromEnv] checked by [CheckHTTPAccess]).
package mcpserver
